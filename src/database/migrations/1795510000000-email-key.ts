import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users are unique per tenant by their email key (ASCII letters folded, nothing else; see
 * users/email-key.ts) instead of lower(email), which under the database's locale also folded `İ`
 * to `i` and the Kelvin sign to `k`, so lookalike addresses found another user.
 *
 * Existing rows keep working with no new collision: the key only ever lowers A–Z, code point for
 * code point, so two addresses with the same key differ only in the case of ASCII letters, which
 * lower() folds as well: equal keys imply equal lower(), and lower()'s index already held them
 * unique. (Should a database with a Turkish locale, where lower('I') is 'ı', hold two rows that
 * differ only in the case of an I, the migration stops and names the tenant instead of guessing.)
 */
// Written out, not imported from users/email-key.ts: a landed migration must never change with the code.
const KEY = "translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

export class EmailKey1795510000000 implements MigrationInterface {
  name = 'EmailKey1795510000000';

  async up(q: QueryRunner): Promise<void> {
    const clashes = (await q.query(
      `SELECT tenant_id, count(*)::int AS n FROM (
         SELECT tenant_id FROM users GROUP BY tenant_id, ${KEY} HAVING count(*) > 1
       ) d GROUP BY tenant_id`,
    )) as { tenant_id: string; n: number }[];
    if (clashes.length > 0) {
      const which = clashes.map((c) => `tenant ${c.tenant_id}: ${c.n} address(es)`).join('; ');
      throw new Error(`Users whose email addresses differ only in letter case must be merged or renamed before this migration (${which})`);
    }
    await q.query(`CREATE UNIQUE INDEX users_tenant_email_key_new ON users (tenant_id, ${KEY})`);
    await q.query('DROP INDEX users_tenant_email_key');
    // The name stays: code recognises the unique violation of a taken email by it.
    await q.query('ALTER INDEX users_tenant_email_key_new RENAME TO users_tenant_email_key');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE UNIQUE INDEX users_tenant_email_key_old ON users (tenant_id, lower(email))');
    await q.query('DROP INDEX users_tenant_email_key');
    await q.query('ALTER INDEX users_tenant_email_key_old RENAME TO users_tenant_email_key');
  }
}

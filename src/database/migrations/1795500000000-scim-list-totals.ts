import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * scim_list_totals: the count of a tenant's users matching a SCIM list query, kept for a few
 * seconds. Counting a million users costs ~100 ms; an import that reads 10,000 pages would
 * otherwise count them 10,000 times. Shared by every instance like the page anchors.
 */
export class ScimListTotals1795500000000 implements MigrationInterface {
  name = 'ScimListTotals1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_list_totals (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        query_hash bytea NOT NULL,
        total integer NOT NULL CHECK (total >= 0),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, query_hash)
      )`);
    await q.query('CREATE INDEX scim_list_totals_expires_at_idx ON scim_list_totals (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE scim_list_totals');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const LIVE_ORDER_INDEX = 'users_tenant_live_order_idx';
const OLD_ORDER_INDEX = 'users_tenant_created_at_id_idx';

/**
 * Exact SCIM totalResults without counting a million users per page (contract v2), and SCIM lists
 * that leave out users the identity provider removed.
 *
 * - user_list_versions: one row per tenant, two counters bumped by the users repository in the
 *   very statement that writes a user: `members` when the set of SCIM-visible users changes
 *   (insert, removal by the IdP, revival), `changes` on every write (any attribute a filter reads).
 *   A counted total is stored with the counter it was counted at (scim_list_totals.users_version)
 *   and reused only while the counter still has that value: never stale, and a reader paging
 *   through an unchanged tenant still counts it once.
 * - users (tenant_id, created_at, id) WHERE scim_removed_at IS NULL replaces the full order index:
 *   every SCIM list, page and count reads only users the IdP has not removed, and still reads the
 *   index alone (count(*) by an index-only scan).
 *
 * Not in a transaction: the index is built CONCURRENTLY (a tenant with a million users keeps
 * accepting writes); an INVALID index left by a failed build is dropped and built again.
 */
export class UserListVersions1795535000000 implements MigrationInterface {
  name = 'UserListVersions1795535000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS user_list_versions (
        tenant_id uuid NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        members bigint NOT NULL DEFAULT 0,
        changes bigint NOT NULL DEFAULT 0
      )`);
    // Totals counted before this migration carry no version: dropped, counted again on demand.
    await q.query('DELETE FROM scim_list_totals');
    await q.query('ALTER TABLE scim_list_totals ADD COLUMN IF NOT EXISTS users_version bigint NOT NULL DEFAULT 0');

    const invalid = (await q.query(`SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`, [
      LIVE_ORDER_INDEX,
    ])) as unknown[];
    if (invalid.length > 0) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${LIVE_ORDER_INDEX}`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${LIVE_ORDER_INDEX} ON users (tenant_id, created_at, id) WHERE scim_removed_at IS NULL`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${OLD_ORDER_INDEX}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${OLD_ORDER_INDEX} ON users (tenant_id, created_at, id)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${LIVE_ORDER_INDEX}`);
    await q.query('ALTER TABLE scim_list_totals DROP COLUMN IF EXISTS users_version');
    await q.query('DROP TABLE IF EXISTS user_list_versions');
  }
}

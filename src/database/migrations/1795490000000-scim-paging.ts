import type { MigrationInterface, QueryRunner } from 'typeorm';

const USERS_ORDER_INDEX = 'users_tenant_created_at_id_idx';

/**
 * SCIM list paging without OFFSET scans (issue 6).
 *
 * - users (tenant_id, created_at, id): the order SCIM lists users in, so a page is an index range
 *   read from a known key ("keyset"), whatever its position.
 * - scim_page_anchors: where an index-based reader (Okta: startIndex 1, 101, 201, …) left off, per
 *   tenant and filter: the id of the last user served before position start_index. Shared by every
 *   instance; kept for cursorTimeout after the page was served, then purged.
 *
 * Not in a transaction: the index is built CONCURRENTLY, so a tenant with a million users keeps
 * accepting writes while it is built. A build that failed half-way leaves an INVALID index, which
 * is dropped and built again on the next run.
 */
export class ScimPaging1795490000000 implements MigrationInterface {
  name = 'ScimPaging1795490000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    const invalid = (await q.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`,
      [USERS_ORDER_INDEX],
    )) as unknown[];
    if (invalid.length > 0) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${USERS_ORDER_INDEX}`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${USERS_ORDER_INDEX} ON users (tenant_id, created_at, id)`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS scim_page_anchors (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        query_hash bytea NOT NULL,
        start_index integer NOT NULL CHECK (start_index > 1),
        after_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, query_hash, start_index)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS scim_page_anchors_expires_at_idx ON scim_page_anchors (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS scim_page_anchors');
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${USERS_ORDER_INDEX}`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A burst of identical failures becomes one audit row with a count: `count` (1 for every row
 * written before), `last_at` (the newest occurrence; null while count is 1), and the coalescing
 * key of a failure with the window it fell in. The partial unique index on
 * (tenant_id, coalesce_key, coalesce_window) lets one INSERT … ON CONFLICT add to the row of the
 * same failure in the same window, atomically and on every instance. Rows from before keep NULL
 * keys: they are never coalesced and read as count 1.
 */
export class AuditCoalescing1795520000000 implements MigrationInterface {
  name = 'AuditCoalescing1795520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events
        ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1),
        ADD COLUMN last_at timestamptz,
        ADD COLUMN coalesce_key bytea,
        ADD COLUMN coalesce_window timestamptz`);
    await q.query(
      'CREATE UNIQUE INDEX audit_events_coalesce_key ON audit_events (tenant_id, coalesce_key, coalesce_window) WHERE coalesce_key IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit_events_coalesce_key');
    await q.query('ALTER TABLE audit_events DROP COLUMN coalesce_window, DROP COLUMN coalesce_key, DROP COLUMN last_at, DROP COLUMN count');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SAML assertion IDs already used, per tenant, kept until the assertion could no longer be
 * accepted anyway (its NotOnOrAfter plus the clock skew). A shared table, so every instance
 * refuses a replay.
 */
export class SamlReplay1795480000000 implements MigrationInterface {
  name = 'SamlReplay1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saml_assertion_ids (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        assertion_id varchar(256) NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, assertion_id)
      )`);
    await q.query(`CREATE INDEX saml_assertion_ids_expires_at_idx ON saml_assertion_ids (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE saml_assertion_ids');
  }
}

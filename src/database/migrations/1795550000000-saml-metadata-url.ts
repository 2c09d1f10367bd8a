import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The IdP metadata URL a tenant's signing certificates are kept current from (CONTRACT section 3,
 * contract v2): the URL, the outcome of the last refresh (time of the last success; the last
 * failure and its time), when the next scheduled refresh is due, and the lease that lets one
 * refresh per tenant run at a time across instances (claimed by a conditional UPDATE, so no
 * connection is held while the IdP answers). The partial index is what the scheduled sweep reads:
 * due tenants, oldest first, only rows that have a URL.
 */
export class SamlMetadataUrl1795550000000 implements MigrationInterface {
  name = 'SamlMetadataUrl1795550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tenant_security_settings
        ADD COLUMN saml_metadata_url text CHECK (saml_metadata_url IS NULL OR length(saml_metadata_url) <= 2048),
        ADD COLUMN saml_metadata_refreshed_at timestamptz,
        ADD COLUMN saml_metadata_error text,
        ADD COLUMN saml_metadata_error_at timestamptz,
        ADD COLUMN saml_metadata_next_at timestamptz,
        ADD COLUMN saml_metadata_lease_id uuid,
        ADD COLUMN saml_metadata_lease_until timestamptz,
        ADD COLUMN saml_metadata_last_attempt_id uuid`);
    await q.query(
      'CREATE INDEX tenant_security_settings_metadata_due ON tenant_security_settings (saml_metadata_next_at) WHERE saml_metadata_url IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tenant_security_settings_metadata_due');
    await q.query(`
      ALTER TABLE tenant_security_settings
        DROP COLUMN saml_metadata_last_attempt_id, DROP COLUMN saml_metadata_lease_until, DROP COLUMN saml_metadata_lease_id,
        DROP COLUMN saml_metadata_next_at, DROP COLUMN saml_metadata_error_at, DROP COLUMN saml_metadata_error,
        DROP COLUMN saml_metadata_refreshed_at, DROP COLUMN saml_metadata_url`);
  }
}

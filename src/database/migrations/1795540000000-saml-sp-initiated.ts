import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SP-initiated SAML sign-on and encrypted assertions (contract v2).
 *
 * - tenant_security_settings.saml_idp_sso_url: the IdP's HTTP-Redirect SingleSignOnService, from
 *   uploaded metadata or entered by the admin; where GET /saml/{tenant}/login sends the browser.
 * - tenant_security_settings.saml_sp_keys: the tenant's own SP key pairs, a JSON array of
 *   {use: "active"|"next"|"previous", certPem, sealedKey (the PKCS#8 PEM sealed with the key
 *   ring), createdAt}. "active" signs AuthnRequests and is published; "next" (a rotation in
 *   progress) is published beside it; both, and "previous" (the key just rotated out, kept for
 *   decryption only), decrypt. Empty until SAML is first enabled.
 * - saml_authn_requests: the AuthnRequests sent, one row per request ID, tenant first in the key
 *   (Citus). The ACS consumes one by a conditional UPDATE … SET used_at … WHERE used_at IS NULL
 *   RETURNING (single use on every instance); the used row stays until expires_at so a second
 *   use is told apart from an unknown ID, then housekeeping purges it. client_key (the client
 *   address) bounds how many unanswered requests one client may hold.
 */
export class SamlSpInitiated1795540000000 implements MigrationInterface {
  name = 'SamlSpInitiated1795540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant_security_settings
      ADD COLUMN saml_idp_sso_url text,
      ADD COLUMN saml_sp_keys jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`
      CREATE TABLE saml_authn_requests (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        request_id varchar(64) NOT NULL,
        client_key varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (tenant_id, request_id)
      )`);
    await q.query('CREATE INDEX saml_authn_requests_client_idx ON saml_authn_requests (tenant_id, client_key, expires_at)');
    await q.query('CREATE INDEX saml_authn_requests_tenant_expires_idx ON saml_authn_requests (tenant_id, expires_at)');
    await q.query('CREATE INDEX saml_authn_requests_expires_idx ON saml_authn_requests (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE saml_authn_requests');
    await q.query('ALTER TABLE tenant_security_settings DROP COLUMN saml_sp_keys, DROP COLUMN saml_idp_sso_url');
  }
}

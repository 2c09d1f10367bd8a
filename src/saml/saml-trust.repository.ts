import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import type { StoredCertificate, StoredSpKey } from '../tenancy/tenant-security-settings.entity.js';

/** What the ACS needs to trust a response, and the login endpoint to send a request, read in one statement. */
export interface SamlTrustRow {
  samlEnabled: boolean;
  /** PEM of each uploaded verification certificate. */
  certificates: string[];
  idpEntityId: string | null;
  /** Where SP-initiated sign-on sends the AuthnRequest. */
  idpSsoUrl: string | null;
  /** The tenant's own key pairs (private keys sealed). */
  spKeys: StoredSpKey[];
}

/**
 * SAML's own read of the tenant's settings row (tenant_security_settings, created with the
 * tenant by tenancy/): the saml_* columns the ACS checks a response against.
 */
@Injectable()
export class SamlTrustRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The tenant's SAML trust settings by primary key (the ACS hot path): a prepared statement. */
  async findTrust(tenantId: string): Promise<SamlTrustRow | null> {
    const rows = await preparedQuery<{
      saml_enabled: boolean;
      saml_certificates: StoredCertificate[];
      saml_idp_entity_id: string | null;
      saml_idp_sso_url: string | null;
      saml_sp_keys: StoredSpKey[];
    }>(
      this.dataSource,
      'SELECT saml_enabled, saml_certificates, saml_idp_entity_id, saml_idp_sso_url, saml_sp_keys FROM tenant_security_settings WHERE tenant_id = $1',
      [tenantId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      samlEnabled: row.saml_enabled,
      certificates: row.saml_certificates.map((c) => c.pem),
      idpEntityId: row.saml_idp_entity_id,
      idpSsoUrl: row.saml_idp_sso_url,
      spKeys: row.saml_sp_keys,
    };
  }
}

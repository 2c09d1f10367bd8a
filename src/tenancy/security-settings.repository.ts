import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import { TenantSecuritySettingsEntity, type StoredCertificate } from './tenant-security-settings.entity.js';

/** What the ACS needs to trust a response, read in one statement. */
export interface SamlTrustRow {
  samlEnabled: boolean;
  /** PEM of each uploaded verification certificate. */
  certificates: string[];
  idpEntityId: string | null;
}

/** What the SCIM gate needs to admit or refuse a request, read in one statement. */
export interface ScimGateRow {
  scimEnabled: boolean;
  scimTokenHash: Buffer | null;
  samlEnabled: boolean;
  samlCertificateCount: number;
}

@Injectable()
export class SecuritySettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(TenantSecuritySettingsEntity);
  }

  async get(tenantId: string, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).findOneOrFail({ where: { tenantId } });
  }

  /** Reads the row locked for update, so concurrent settings changes serialise. */
  async getForUpdate(tenantId: string, manager: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).findOneOrFail({ where: { tenantId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * The SCIM gate's hot-path read: the tenant's settings row by primary key. Nothing is cached,
   * so a regenerated token or a disabled SCIM takes effect on the very next request on every
   * instance. A prepared statement, planned once per connection.
   */
  async findScimGate(tenantId: string): Promise<ScimGateRow | null> {
    const rows = await preparedQuery<{ scim_enabled: boolean; scim_token_hash: Buffer | null; saml_enabled: boolean; saml_certificate_count: number }>(
      this.dataSource,
      `SELECT scim_enabled, scim_token_hash, saml_enabled, jsonb_array_length(saml_certificates) AS saml_certificate_count
         FROM tenant_security_settings WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      scimEnabled: row.scim_enabled,
      scimTokenHash: row.scim_token_hash,
      samlEnabled: row.saml_enabled,
      samlCertificateCount: row.saml_certificate_count,
    };
  }

  /** The tenant's SAML trust settings by primary key (the ACS hot path). */
  async findSamlTrust(tenantId: string): Promise<SamlTrustRow | null> {
    const rows = await preparedQuery<{ saml_enabled: boolean; saml_certificates: StoredCertificate[]; saml_idp_entity_id: string | null }>(
      this.dataSource,
      'SELECT saml_enabled, saml_certificates, saml_idp_entity_id FROM tenant_security_settings WHERE tenant_id = $1',
      [tenantId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      samlEnabled: row.saml_enabled,
      certificates: row.saml_certificates.map((c) => c.pem),
      idpEntityId: row.saml_idp_entity_id,
    };
  }

  save(settings: TenantSecuritySettingsEntity, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).save(settings);
  }
}

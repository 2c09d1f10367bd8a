import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import { TenantSecuritySettingsEntity, type StoredCertificate } from './tenant-security-settings.entity.js';

/** What the SCIM gate needs to admit or refuse a request, read in one statement. */
export interface SamlTrustRow {
  tenant: { id: string; slug: string; name: string };
  samlEnabled: boolean;
  /** PEM of each uploaded verification certificate. */
  certificates: string[];
  idpEntityId: string | null;
}

export interface ScimGateRow {
  tenantId: string;
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
   * The SCIM gate's hot-path read: tenant by slug (unique index) joined to its settings row by
   * primary key, one round trip. Nothing is cached, so a regenerated token or a disabled SCIM
   * takes effect on the very next request on every instance.
   */
  async findScimGate(slug: string): Promise<ScimGateRow | null> {
    // Every SCIM request runs this: a prepared statement, planned once per connection.
    const rows = await preparedQuery<{ tenant_id: string; scim_enabled: boolean; scim_token_hash: Buffer | null; saml_enabled: boolean; saml_certificate_count: number }>(
      this.dataSource,
      `SELECT t.id AS tenant_id, s.scim_enabled, s.scim_token_hash, s.saml_enabled,
              jsonb_array_length(s.saml_certificates) AS saml_certificate_count
         FROM tenants t JOIN tenant_security_settings s ON s.tenant_id = t.id
        WHERE t.slug = $1`,
      [slug],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      scimEnabled: row.scim_enabled,
      scimTokenHash: row.scim_token_hash,
      samlEnabled: row.saml_enabled,
      samlCertificateCount: row.saml_certificate_count,
    };
  }

  /** A tenant by slug with its SAML trust settings, in one query (the ACS hot path). */
  async findSamlTrust(slug: string): Promise<SamlTrustRow | null> {
    const rows = await preparedQuery<{ id: string; slug: string; name: string; saml_enabled: boolean; saml_certificates: StoredCertificate[]; saml_idp_entity_id: string | null }>(
      this.dataSource,
      `SELECT t.id, t.slug, t.name, s.saml_enabled, s.saml_certificates, s.saml_idp_entity_id
         FROM tenants t JOIN tenant_security_settings s ON s.tenant_id = t.id
        WHERE t.slug = $1`,
      [slug],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      tenant: { id: row.id, slug: row.slug, name: row.name },
      samlEnabled: row.saml_enabled,
      certificates: row.saml_certificates.map((c) => c.pem),
      idpEntityId: row.saml_idp_entity_id,
    };
  }

  save(settings: TenantSecuritySettingsEntity, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).save(settings);
  }
}

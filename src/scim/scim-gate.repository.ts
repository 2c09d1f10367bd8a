import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import { ScimGateCache } from './scim-gate-cache.js';
import { ScimGateListener } from './scim-gate-listener.js';

/** What the SCIM gate needs to admit or refuse a request, read in one statement. */
export interface ScimGateRow {
  scimEnabled: boolean;
  scimTokenHash: Buffer | null;
  samlEnabled: boolean;
  samlCertificateCount: number;
}

/**
 * SCIM's own read of the tenant's settings row (tenant_security_settings, created with the
 * tenant by tenancy/). It reads the saml_* columns too, for the "SAML must be set up" rule:
 * SCIM asks the row, never the saml/ module.
 */
@Injectable()
export class ScimGateRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: ScimGateCache,
    private readonly listener: ScimGateListener,
  ) {}

  /**
   * The SCIM gate's hot-path read: from ScimGateCache while its listener hears every settings
   * change (a regenerated token or a disabled SCIM is dropped on every instance as soon as the
   * change notice arrives), else the tenant's settings row by primary key, a prepared statement.
   */
  async findGate(tenantId: string): Promise<ScimGateRow | null> {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    this.listener.start();
    const ticket = this.cache.ticket();
    const rows = await preparedQuery<{ scim_enabled: boolean; scim_token_hash: Buffer | null; saml_enabled: boolean; saml_certificate_count: number }>(
      this.dataSource,
      `SELECT scim_enabled, scim_token_hash, saml_enabled, jsonb_array_length(saml_certificates) AS saml_certificate_count
         FROM tenant_security_settings WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0];
    if (!row) return null;
    const gate: ScimGateRow = {
      scimEnabled: row.scim_enabled,
      scimTokenHash: row.scim_token_hash,
      samlEnabled: row.saml_enabled,
      samlCertificateCount: row.saml_certificate_count,
    };
    this.cache.fill(tenantId, gate, ticket);
    return gate;
  }
}

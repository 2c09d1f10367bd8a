import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsQuery } from '../common/database/prepared-query.js';

/** Where a tenant's metadata refresh stands, as a refresh that could not claim it reads it. */
export interface MetadataRefreshState {
  url: string | null;
  /** The refresh running now (its lease still holds), or null. */
  runningLeaseId: string | null;
  lastAttemptId: string | null;
  error: string | null;
}

/**
 * SAML's statements on the metadata columns of tenant_security_settings (the row is tenancy/'s;
 * the saml_metadata_* columns change only through saml/): the refresh lease and the sweep's read.
 * The lease is a claim written by a conditional UPDATE, not a lock held on a connection, so a
 * refresh waiting 10 s for an IdP ties up no database connection, and a crashed instance's claim
 * simply runs out.
 */
@Injectable()
export class SamlMetadataRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the tenant's refresh for `leaseId` until `seconds` from now, when no other refresh
   * holds it. `requireUrl`: only while a metadata URL is stored (a save claims before storing its URL).
   */
  async claim(tenantId: string, leaseId: string, seconds: number, requireUrl: boolean): Promise<boolean> {
    const rows = await rowsQuery(
      this.dataSource,
      `UPDATE tenant_security_settings
          SET saml_metadata_lease_id = $2, saml_metadata_lease_until = now() + make_interval(secs => $3)
        WHERE tenant_id = $1
          AND (saml_metadata_lease_until IS NULL OR saml_metadata_lease_until <= now())
          AND ($4::boolean IS FALSE OR saml_metadata_url IS NOT NULL)
        RETURNING 1`,
      [tenantId, leaseId, seconds, requireUrl],
    );
    return rows.length === 1;
  }

  /** Gives the claim back (only if it is still `leaseId`'s), without recording an attempt. */
  async release(tenantId: string, leaseId: string): Promise<void> {
    await rowsQuery(
      this.dataSource,
      `UPDATE tenant_security_settings SET saml_metadata_lease_id = NULL, saml_metadata_lease_until = NULL
        WHERE tenant_id = $1 AND saml_metadata_lease_id = $2 RETURNING 1`,
      [tenantId, leaseId],
    );
  }

  async state(tenantId: string): Promise<MetadataRefreshState | null> {
    const rows = await rowsQuery<{ url: string | null; running: string | null; last: string | null; error: string | null }>(
      this.dataSource,
      `SELECT saml_metadata_url AS url,
              CASE WHEN saml_metadata_lease_until > now() THEN saml_metadata_lease_id END AS running,
              saml_metadata_last_attempt_id AS last, saml_metadata_error AS error
         FROM tenant_security_settings WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0];
    return row ? { url: row.url, runningLeaseId: row.running, lastAttemptId: row.last, error: row.error } : null;
  }

  /**
   * Tenants whose scheduled refresh is due and not running, oldest due first, at most `limit`
   * (the partial index tenant_security_settings_metadata_due), with their slugs for the audit.
   * Spans tenants on purpose.
   */
  async due(limit: number): Promise<{ id: string; slug: string }[]> {
    return rowsQuery<{ id: string; slug: string }>(
      this.dataSource,
      `SELECT s.tenant_id AS id, t.slug FROM tenant_security_settings s JOIN tenants t ON t.id = s.tenant_id
        WHERE s.saml_metadata_url IS NOT NULL AND s.saml_metadata_next_at <= now()
          AND (s.saml_metadata_lease_until IS NULL OR s.saml_metadata_lease_until <= now())
        ORDER BY s.saml_metadata_next_at LIMIT $1`,
      [limit],
    );
  }
}

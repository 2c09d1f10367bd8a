import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery, rowsQuery } from '../common/database/prepared-query.js';

export type RememberResult = { stored: true } | { stored: false; limit: 'client' | 'tenant' };
export type ConsumeResult = 'consumed' | 'unknown' | 'expired' | 'used';

/** The only code that touches saml_authn_requests. */
@Injectable()
export class SamlAuthnRequestRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Remembers a request ID for `ttlSeconds`, unless the client already holds `perClient`
   * unanswered unexpired requests at this tenant, or the tenant `perTenant`. One statement; the
   * counts stop at the limits (LIMIT), so a full table costs at most that many index entries.
   * Concurrent requests may each see the count before the other's insert: the caps hold to
   * within the number of requests in flight at once.
   */
  async remember(tenantId: string, requestId: string, clientKey: string, ttlSeconds: number, perClient: number, perTenant: number): Promise<RememberResult> {
    const rows = await preparedQuery<{ mine: string; total: string; inserted: string }>(
      this.dataSource,
      `WITH counts AS (
         SELECT
           (SELECT count(*) FROM (SELECT 1 FROM saml_authn_requests WHERE tenant_id = $1 AND client_key = $3 AND expires_at > now() AND used_at IS NULL LIMIT $5) a) AS mine,
           (SELECT count(*) FROM (SELECT 1 FROM saml_authn_requests WHERE tenant_id = $1 AND expires_at > now() AND used_at IS NULL LIMIT $6) b) AS total
       ), ins AS (
         INSERT INTO saml_authn_requests (tenant_id, request_id, client_key, expires_at)
         SELECT $1, $2, $3, now() + make_interval(secs => $4) FROM counts WHERE mine < $5 AND total < $6
         RETURNING 1
       )
       SELECT mine, total, (SELECT count(*) FROM ins) AS inserted FROM counts`,
      [tenantId, requestId, clientKey, ttlSeconds, perClient, perTenant],
    );
    const row = rows[0]!;
    if (Number(row.inserted) === 1) return { stored: true };
    return { stored: false, limit: Number(row.mine) >= perClient ? 'client' : 'tenant' };
  }

  /**
   * Uses a request ID once: the conditional UPDATE lets exactly one caller, on any instance, see
   * it unused and unexpired. Otherwise a second read says why (expired, already used, unknown).
   */
  async consume(tenantId: string, requestId: string): Promise<ConsumeResult> {
    const used = await preparedQuery(
      this.dataSource,
      `UPDATE saml_authn_requests SET used_at = now()
       WHERE tenant_id = $1 AND request_id = $2 AND used_at IS NULL AND expires_at > now() RETURNING 1`,
      [tenantId, requestId],
    );
    if (used.length === 1) return 'consumed';
    const rows = await rowsQuery<{ used: boolean }>(
      this.dataSource,
      'SELECT used_at IS NOT NULL AS used FROM saml_authn_requests WHERE tenant_id = $1 AND request_id = $2',
      [tenantId, requestId],
    );
    if (!rows[0]) return 'unknown';
    return rows[0].used ? 'used' : 'expired';
  }

  /** Deletes requests past their expiry (used or not); returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const result: unknown = await this.dataSource.query('DELETE FROM saml_authn_requests WHERE expires_at < $1', [now]);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import type { SignInMethod } from '../common/http/request-context.js';

export interface SessionRow {
  tenantId: string;
  userId: string;
  method: SignInMethod;
  lastSeenAt: Date;
}

/** Server-side sessions, keyed by (tenant, SHA-256 of the cookie value). */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Opens a session and stamps the user's last sign-in, in one statement (one round trip, one
   * commit: sign-in is the hot path of the ACS). Returns the sign-in time as stored.
   */
  async insertAndStampLogin(row: { tenantId: string; tokenHash: Buffer; userId: string; method: SignInMethod; expiresAt: Date }): Promise<Date> {
    const rows = await preparedQuery<{ last_login_at: Date }>(
      this.dataSource,
      `WITH opened AS (
         INSERT INTO sessions (tenant_id, token_hash, user_id, method, expires_at) VALUES ($1, $2, $3, $4, $5))
       UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $3 RETURNING last_login_at`,
      [row.tenantId, row.tokenHash, row.userId, row.method, row.expiresAt],
    );
    return rows[0]?.last_login_at ?? new Date();
  }

  /** A session that has neither passed its absolute expiry nor been idle too long. */
  async findLive(tenantId: string, tokenHash: Buffer, idleSeconds: number): Promise<SessionRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT user_id, method, last_seen_at FROM sessions
        WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > now()
          AND last_seen_at > now() - make_interval(secs => $3)`,
      [tenantId, tokenHash, idleSeconds],
    )) as { user_id: string; method: SignInMethod; last_seen_at: Date }[];
    const row = rows[0];
    return row ? { tenantId, userId: row.user_id, method: row.method, lastSeenAt: row.last_seen_at } : null;
  }

  async touch(tenantId: string, tokenHash: Buffer): Promise<void> {
    await this.dataSource.query('UPDATE sessions SET last_seen_at = now() WHERE tenant_id = $1 AND token_hash = $2', [tenantId, tokenHash]);
  }

  async delete(tenantId: string, tokenHash: Buffer): Promise<void> {
    await this.dataSource.query('DELETE FROM sessions WHERE tenant_id = $1 AND token_hash = $2', [tenantId, tokenHash]);
  }

  async deleteForUser(tenantId: string, userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query('DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
  }

  /** Removes sessions past their absolute expiry or idle limit; returns how many. */
  async purgeExpired(idleSeconds: number): Promise<number> {
    const result = (await this.dataSource.query(
      'DELETE FROM sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)',
      [idleSeconds],
    )) as [unknown, number];
    return result[1] ?? 0;
  }
}

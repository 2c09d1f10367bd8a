import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import type { UserEntity } from '../users/user.entity.js';
import { toUserEntity, USER_COLUMNS, type UserRow } from '../users/user-row.js';
import type { SignInMethod } from '../common/http/request-context.js';

/** A live session found by its cookie, with its user (one query per signed-in request). */
export interface LiveSession {
  user: UserEntity;
  method: SignInMethod;
  lastSeenAt: Date;
}

/** A new session row; exported for the bare ACS server of `npm run bench -- --baseline` (the same statement). */
export const INSERT_SESSION_SQL = 'INSERT INTO sessions (tenant_id, token_hash, user_id, method, expires_at) VALUES ($1, $2, $3, $4, $5)';

/** Server-side sessions, keyed by (tenant, SHA-256 of the cookie value). */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Opens a session (sign-in is the hot path of the ACS: a prepared statement). */
  async insert(row: { tenantId: string; tokenHash: Buffer; userId: string; method: SignInMethod; expiresAt: Date }): Promise<void> {
    await preparedQuery(this.dataSource, INSERT_SESSION_SQL, [row.tenantId, row.tokenHash, row.userId, row.method, row.expiresAt]);
  }

  /**
   * The session of a cookie on a tenant's URL, if it has neither passed its absolute expiry nor
   * been idle too long, with its user: one prepared query for every console request, on one
   * tenant's rows (the join is on tenant_id too, so it stays on one shard).
   */
  async findLiveWithUser(tenantId: string, tokenHash: Buffer, idleSeconds: number): Promise<LiveSession | null> {
    const rows = await preparedQuery<UserRow & { s_method: SignInMethod; s_last_seen_at: Date }>(
      this.dataSource,
      `SELECT s.method AS s_method, s.last_seen_at AS s_last_seen_at, ${USER_COLUMNS}
         FROM sessions s
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
        WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $3)`,
      [tenantId, tokenHash, idleSeconds],
    );
    const row = rows[0];
    if (!row) return null;
    return { user: toUserEntity(row), method: row.s_method, lastSeenAt: row.s_last_seen_at };
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

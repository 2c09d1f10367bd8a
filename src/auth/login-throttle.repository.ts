import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';

export interface ThrottleState {
  key: string;
  failures: number;
  windowStartedAt: Date;
}

/** Attempt counters in fixed windows, shared by every instance through PostgreSQL. */
@Injectable()
export class LoginThrottleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts one attempt against each key atomically (a new window starts when the old one is
   * over) and returns the counters after it. Concurrent attempts each see their own increment.
   */
  async increment(tenantId: string, keys: string[], windowSeconds: number): Promise<ThrottleState[]> {
    const rows = (await this.dataSource.query(
      `INSERT INTO login_throttle AS t (tenant_id, key, failures, window_started_at)
       SELECT $1, k, 1, now() FROM unnest($2::text[]) AS k
       ON CONFLICT (tenant_id, key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) THEN now() ELSE t.window_started_at END
       RETURNING key, failures, window_started_at`,
      [tenantId, keys, windowSeconds],
    )) as { key: string; failures: number; window_started_at: Date }[];
    return rows.map((r) => ({ key: r.key, failures: r.failures, windowStartedAt: r.window_started_at }));
  }

  /** The key's counter in its current window (null: no failure counted in this window); a read, no lock. */
  async current(tenantId: string, key: string, windowSeconds: number): Promise<ThrottleState | null> {
    const rows = await preparedQuery<{ failures: number; window_started_at: Date }>(
      this.dataSource,
      'SELECT failures, window_started_at FROM login_throttle WHERE tenant_id = $1 AND key = $2 AND window_started_at > now() - make_interval(secs => $3)',
      [tenantId, key, windowSeconds],
    );
    const row = rows[0];
    return row ? { key, failures: row.failures, windowStartedAt: row.window_started_at } : null;
  }

  /** Gives one attempt back (a sign-in that turned out to be right). */
  async decrement(tenantId: string, key: string): Promise<void> {
    await this.dataSource.query('UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  }

  async clear(tenantId: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_throttle WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  }

  /** Drops counters whose window is over; returns how many. */
  async purgeExpired(windowSeconds: number): Promise<number> {
    const result = (await this.dataSource.query('DELETE FROM login_throttle WHERE window_started_at <= now() - make_interval(secs => $1)', [windowSeconds])) as [
      unknown,
      number,
    ];
    return result[1] ?? 0;
  }
}

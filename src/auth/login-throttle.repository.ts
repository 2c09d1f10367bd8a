import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ThrottleState {
  key: string;
  failures: number;
  windowStartedAt: Date;
}

/** Failure counters in fixed windows, shared by every instance through PostgreSQL. */
@Injectable()
export class LoginThrottleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async current(tenantId: string, keys: string[], windowSeconds: number): Promise<ThrottleState[]> {
    const rows = (await this.dataSource.query(
      `SELECT key, failures, window_started_at FROM login_throttle
        WHERE tenant_id = $1 AND key = ANY($2) AND window_started_at > now() - make_interval(secs => $3)`,
      [tenantId, keys, windowSeconds],
    )) as { key: string; failures: number; window_started_at: Date }[];
    return rows.map((r) => ({ key: r.key, failures: r.failures, windowStartedAt: r.window_started_at }));
  }

  /** Counts one failure against each key atomically, starting a new window when the old one is over. */
  async recordFailure(tenantId: string, keys: string[], windowSeconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO login_throttle AS t (tenant_id, key, failures, window_started_at)
       SELECT $1, k, 1, now() FROM unnest($2::text[]) AS k
       ON CONFLICT (tenant_id, key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) THEN now() ELSE t.window_started_at END`,
      [tenantId, keys, windowSeconds],
    );
  }

  async clear(tenantId: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_throttle WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  }
}

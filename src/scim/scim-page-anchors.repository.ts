import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';

export interface PageAnchor {
  /** The 1-based position of the first user after the anchor. */
  startIndex: number;
  /** The last user served before that position. */
  afterId: string;
}

/** The only code that touches scim_page_anchors and scim_list_totals (the paging state of SCIM lists). */
@Injectable()
export class ScimPageAnchorsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The live anchor closest below or at startIndex for this tenant and query; null when there is none. */
  async nearest(tenantId: string, queryHash: Buffer, startIndex: number): Promise<PageAnchor | null> {
    const rows = (await this.dataSource.query(
      `SELECT start_index, after_id FROM scim_page_anchors
        WHERE tenant_id = $1 AND query_hash = $2 AND start_index <= $3 AND expires_at > now()
        ORDER BY start_index DESC LIMIT 1`,
      [tenantId, queryHash, startIndex],
    )) as { start_index: number; after_id: string }[];
    const row = rows[0];
    return row ? { startIndex: row.start_index, afterId: row.after_id } : null;
  }

  /** Records (or moves, and renews) the anchor at startIndex: the latest page served defines it. */
  async save(tenantId: string, queryHash: Buffer, anchor: PageAnchor, ttlSeconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_page_anchors (tenant_id, query_hash, start_index, after_id, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (tenant_id, query_hash, start_index)
       DO UPDATE SET after_id = excluded.after_id, expires_at = excluded.expires_at`,
      [tenantId, queryHash, anchor.startIndex, anchor.afterId, ttlSeconds],
    );
  }

  /** The total of this tenant's users matching the query counted at list version `version`, if still kept. */
  async cachedTotal(tenantId: string, queryHash: Buffer, version: number): Promise<number | null> {
    const rows = await preparedQuery<{ total: number }>(
      this.dataSource,
      'SELECT total FROM scim_list_totals WHERE tenant_id = $1 AND query_hash = $2 AND users_version = $3 AND expires_at > now()',
      [tenantId, queryHash, version],
    );
    return rows[0]?.total ?? null;
  }

  /** Keeps a total counted at a list version; a count at an older version never replaces a newer one. */
  async saveTotal(tenantId: string, queryHash: Buffer, total: number, version: number, ttlSeconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_list_totals AS t (tenant_id, query_hash, total, users_version, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (tenant_id, query_hash) DO UPDATE SET total = excluded.total, users_version = excluded.users_version, expires_at = excluded.expires_at
       WHERE t.users_version <= excluded.users_version`,
      [tenantId, queryHash, total, version, ttlSeconds],
    );
  }

  /** Deletes anchors and totals past their lifetime; returns how many. */
  async purgeExpired(): Promise<number> {
    let removed = 0;
    for (const table of ['scim_page_anchors', 'scim_list_totals']) {
      const result: unknown = await this.dataSource.query(`DELETE FROM ${table} WHERE expires_at <= now()`);
      // pg returns [rows, count] for DELETE through TypeORM's query()
      removed += Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
    }
    return removed;
  }
}

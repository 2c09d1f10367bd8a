import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

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

  /** The recently counted total of this tenant's users matching the query, if still fresh. */
  async cachedTotal(tenantId: string, queryHash: Buffer): Promise<number | null> {
    const rows = (await this.dataSource.query('SELECT total FROM scim_list_totals WHERE tenant_id = $1 AND query_hash = $2 AND expires_at > now()', [
      tenantId,
      queryHash,
    ])) as { total: number }[];
    return rows[0]?.total ?? null;
  }

  async saveTotal(tenantId: string, queryHash: Buffer, total: number, ttlSeconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_list_totals (tenant_id, query_hash, total, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       ON CONFLICT (tenant_id, query_hash) DO UPDATE SET total = excluded.total, expires_at = excluded.expires_at`,
      [tenantId, queryHash, total, ttlSeconds],
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

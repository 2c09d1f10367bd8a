import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';

/**
 * The replay claim of an assertion ID ($1 tenant, $2 assertion ID, $3 expiry): one row, or none
 * when the ID was used. Exported for the bare ACS server of `npm run bench -- --baseline`, which
 * must send the very same statement.
 */
export const CLAIM_ASSERTION_SQL = `INSERT INTO saml_assertion_ids (tenant_id, assertion_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, assertion_id) DO NOTHING RETURNING 1`;

/** The only code that touches saml_assertion_ids. */
@Injectable()
export class SamlReplayRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records an assertion ID as used. True the first time; false when any instance has already
   * recorded it (the primary key decides, so two concurrent posts cannot both win).
   */
  async claim(tenantId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
    const rows = await preparedQuery(this.dataSource, CLAIM_ASSERTION_SQL, [tenantId, assertionId, expiresAt]);
    return rows.length === 1;
  }

  /** Deletes IDs whose assertions can no longer be accepted; returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const result: unknown = await this.dataSource.query('DELETE FROM saml_assertion_ids WHERE expires_at < $1', [now]);
    // pg returns [rows, count] for DELETE through TypeORM's query()
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}

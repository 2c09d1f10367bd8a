import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery, rowsQuery } from '../common/database/prepared-query.js';
import type { StoredSpKey } from '../tenancy/tenant-security-settings.entity.js';

/**
 * The tenant's SP key pairs (tenant_security_settings.saml_sp_keys, a column only saml/ writes).
 * Every change is a compare-and-swap on the whole set, so two instances generating or rotating
 * at once cannot both win: the loser reads what the winner stored.
 */
@Injectable()
export class SamlSpKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async read(tenantId: string): Promise<StoredSpKey[]> {
    const rows = await preparedQuery<{ saml_sp_keys: StoredSpKey[] }>(this.dataSource, 'SELECT saml_sp_keys FROM tenant_security_settings WHERE tenant_id = $1', [tenantId]);
    return rows[0]?.saml_sp_keys ?? [];
  }

  /** Stores `next` only if the set is still exactly `expected`; true when this call won. */
  async swap(tenantId: string, expected: readonly StoredSpKey[], next: readonly StoredSpKey[]): Promise<boolean> {
    const rows = await rowsQuery(
      this.dataSource,
      `UPDATE tenant_security_settings SET saml_sp_keys = $3::jsonb, updated_at = now()
       WHERE tenant_id = $1 AND saml_sp_keys = $2::jsonb RETURNING 1`,
      [tenantId, JSON.stringify(expected), JSON.stringify(next)],
    );
    return rows.length === 1;
  }
}

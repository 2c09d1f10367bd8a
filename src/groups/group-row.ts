import { lowerAsciiSql } from '../common/validation/ascii-case.js';
import { GroupEntity } from './group.entity.js';
import type { LicenseKey } from '../users/licenses.js';

/**
 * The one mapping of a groups row: every read of groups selects GROUP_COLUMNS (alias g) and maps
 * with toGroupEntity, so a new column is added here and in a migration, nowhere else.
 */
export const GROUP_COLUMNS = 'g.tenant_id, g.id, g.display_name, g.external_id, g.licenses, g.source, g.member_count, g.created_at, g.updated_at, g.version';

/**
 * The key displayName is unique by and looked up by: the 26 ASCII capitals lowered and nothing
 * else (as email keys, users/email-key.ts), written exactly as the unique index
 * groups_tenant_display_name_key states it, so lookups and uniqueness are served by that index.
 */
export function displayNameKeySql(column: string): string {
  return lowerAsciiSql(column);
}

export interface GroupRow {
  tenant_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  licenses: LicenseKey[];
  source: 'scim';
  member_count: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export function toGroupEntity(row: GroupRow): GroupEntity {
  return Object.assign(new GroupEntity(), {
    tenantId: row.tenant_id,
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    licenses: row.licenses,
    source: row.source,
    memberCount: row.member_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  });
}

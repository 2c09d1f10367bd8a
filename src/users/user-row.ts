import { UserEntity, type UserRole, type UserSource } from './user.entity.js';
import type { LicenseKey } from './licenses.js';

/**
 * The one mapping of a users row: every read of users (this module's repository, and the session
 * check that joins sessions to users in one statement) selects USER_COLUMNS and maps with
 * toUserEntity, so a new column is added here and in the migration, nowhere else.
 */
export const USER_COLUMNS =
  'u.tenant_id, u.id, u.email, u.given_name, u.family_name, u.active, u.role, u.password_hash, u.licenses, u.source, u.external_id, u.created_at, u.updated_at, u.last_login_at, u.version, u.display_name, u.scim_removed_at';

export interface UserRow {
  tenant_id: string;
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  active: boolean;
  role: UserRole;
  password_hash: string | null;
  licenses: LicenseKey[];
  source: UserSource;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  version: number;
  display_name: string | null;
  scim_removed_at: Date | null;
}

export function toUserEntity(row: UserRow): UserEntity {
  return Object.assign(new UserEntity(), {
    tenantId: row.tenant_id,
    id: row.id,
    email: row.email,
    givenName: row.given_name,
    familyName: row.family_name,
    active: row.active,
    role: row.role,
    passwordHash: row.password_hash,
    licenses: row.licenses,
    source: row.source,
    externalId: row.external_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
    version: row.version,
    displayName: row.display_name,
    scimRemovedAt: row.scim_removed_at,
  });
}

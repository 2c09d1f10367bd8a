import { emailKeySql } from './email-key.js';
import { normaliseLicenses, type LicenseKey } from './licenses.js';
import { UserEntity, type UserGroupRef, type UserRole, type UserSource } from './user.entity.js';

/**
 * The user's groups (with each group's licenses, from which the effective licenses follow), as one
 * JSON array sorted by displayName (ASCII letters without regard to case, as the name index folds
 * them; then as written; then id). A correlated subquery in the select list rather than a LATERAL
 * join: it is evaluated once per row the statement returns, it works unchanged in INSERT/UPDATE …
 * RETURNING and in SELECT … FOR UPDATE, and no FROM clause changes. It reads the group_members
 * index (tenant_id, user_id, group_id) and each group by primary key: about 0.3 ms for a user in 3
 * groups, 10 ms for one in 2,000. Lists must page BEFORE selecting these columns (see
 * pagedUserSql), or the subquery also runs for every row an OFFSET skips.
 */
const USER_GROUPS = `(SELECT coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name, 'licenses', g.licenses)
                              ORDER BY ${emailKeySql('g.display_name')}, g.display_name, g.id), '[]'::json)
     FROM group_members gm JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id
    WHERE gm.tenant_id = u.tenant_id AND gm.user_id = u.id) AS user_groups`;

/**
 * The one mapping of a users row: every read of users (this module's repository, and the session
 * check that joins sessions to users in one statement) selects USER_COLUMNS and maps with
 * toUserEntity, so a new column is added here and in the migration, nowhere else. Every read
 * carries the user's groups and effective licenses in the same statement (users/ reads
 * group_members and groups for that; groups/ owns them).
 */
export const USER_COLUMNS = `u.tenant_id, u.id, u.email, u.given_name, u.family_name, u.active, u.role, u.password_hash, u.licenses, u.source, u.external_id, u.created_at, u.updated_at, u.last_login_at, u.version, u.display_name, u.scim_removed_at, ${USER_GROUPS}`;

/**
 * A page of users with USER_COLUMNS: `inner` selects `u.*` and does the filtering, ordering and
 * LIMIT/OFFSET; the group subquery then runs for the page's rows only. `order` repeats the
 * inner order over the page (at most a page of rows to sort).
 */
export function pagedUserSql(inner: string, order: string): string {
  return `SELECT ${USER_COLUMNS} FROM (${inner}) u ORDER BY ${order}`;
}

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
  user_groups: { id: string; displayName: string; licenses: string[] }[];
}

export function toUserEntity(row: UserRow): UserEntity {
  const groups: UserGroupRef[] = row.user_groups.map((g) => ({ id: g.id, displayName: g.displayName, licenses: normaliseLicenses(g.licenses as LicenseKey[]) }));
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
    groups,
    effectiveLicenses: effectiveLicenses(row.licenses, groups),
  });
}

/** The user's own licenses and those of every group they belong to: catalogue order, no duplicates. */
export function effectiveLicenses(own: readonly LicenseKey[], groups: readonly Pick<UserGroupRef, 'licenses'>[]): LicenseKey[] {
  return normaliseLicenses([...own, ...groups.flatMap((g) => g.licenses)]);
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { UserCriteria } from './user-criteria.js';
import { emailKey, emailKeySql } from './email-key.js';
import { userCountSql, userKeyAtSql, userSearchSql, type UserKeyset } from './user-criteria-sql.js';
import { pagedUserSql, toUserEntity, USER_COLUMNS, type UserRow } from './user-row.js';
import type { UserEntity } from './user.entity.js';
import { preparedQuery, rowsQuery } from '../common/database/prepared-query.js';
import { isUuid } from '../common/validation/uuid.js';

export interface UserListQuery {
  search?: string;
  offset: number;
  limit: number;
}

/** The columns a new user is inserted with (the rest take the table's defaults). */
export type NewUserRow = Pick<UserEntity, 'tenantId' | 'email' | 'givenName' | 'familyName' | 'active' | 'role' | 'passwordHash' | 'licenses' | 'source'> & {
  externalId?: string | null;
  displayName?: string | null;
};

/**
 * The upsert of a tenant's user_list_versions row, as a CTE body: `changes` + 1 and `members` +
 * `members` (an SQL expression). With `from`, only when that CTE returned a row (a write happened).
 */
function bumpVersions(members: string, from?: string): string {
  const source = from ? `SELECT $1::uuid, ${members}, 1 FROM ${from}` : `VALUES ($1::uuid, ${members}, 1)`;
  return `INSERT INTO user_list_versions AS v (tenant_id, members, changes) ${source}
          ON CONFLICT (tenant_id) DO UPDATE SET members = v.members + excluded.members, changes = v.changes + 1`;
}

/**
 * The only code that reads or writes the users table (kept inside the users module; others go
 * through UsersService). Every statement pins tenant_id, every read maps rows with
 * user-row.ts. The SQL, for review:
 */
const SQL = {
  byId: `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2`,
  byIdForUpdate: `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2 FOR UPDATE`,
  byEmailKey: `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND ${emailKeySql('u.email')} = $2`,
  /**
   * A new user, and the tenant's list version bumped in the same statement (user_list_versions:
   * SCIM reuses a counted total only while it is unchanged). A taken email key raises 23505.
   */
  insert: `WITH added AS (
             INSERT INTO users AS u (tenant_id, email, given_name, family_name, active, role, password_hash, licenses, source, external_id, display_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${USER_COLUMNS}
           ), bumped AS (${bumpVersions('1')})
           SELECT * FROM added`,
  /**
   * The same, but no row (and no bump) when the tenant's email key is taken, instead of 23505:
   * the caller's transaction goes on (SCIM POST then brings back a user the IdP removed).
   */
  insertUnlessTaken: `WITH added AS (
             INSERT INTO users AS u (tenant_id, email, given_name, family_name, active, role, password_hash, licenses, source, external_id, display_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (tenant_id, (${emailKeySql('email')})) DO NOTHING RETURNING ${USER_COLUMNS}
           ), bumped AS (${bumpVersions('1', 'added')})
           SELECT * FROM added`,
  /**
   * Every write bumps the version (SCIM's ETag), updated_at and the tenant's list versions
   * (`members` too when the IdP removes or brings back the user: $12). $11 true marks the user
   * removed by the IdP (the first removal time kept), false clears it. The password is never changed here.
   */
  update: `WITH changed AS (
             UPDATE users AS u SET email = $3, given_name = $4, family_name = $5, active = $6, role = $7, licenses = $8, external_id = $9,
                    display_name = $10, scim_removed_at = CASE WHEN $11::boolean THEN coalesce(u.scim_removed_at, now()) END,
                    version = u.version + 1, updated_at = now()
              WHERE u.tenant_id = $1 AND u.id = $2 RETURNING ${USER_COLUMNS}
           ), bumped AS (${bumpVersions('CASE WHEN $12::boolean THEN 1 ELSE 0 END', 'changed')})
           SELECT * FROM changed`,
  /**
   * A user removed by the IdP leaves every group: one statement deletes the memberships and takes
   * one off each of those groups' member_count (and bumps their version: their member list changed).
   */
  /**
   * Lock order for memberships is users, then groups, then group_members (the groups module's
   * writes take them so): the removal already holds the user, so it locks the user's groups, in id
   * order, before it deletes the memberships; otherwise a group PATCH removing the same user at the
   * same moment (group row, then membership row) and this (membership row, then group row) deadlock.
   */
  lockUserGroups: `SELECT g.id FROM groups g
                     WHERE g.tenant_id = $1 AND g.id IN (SELECT m.group_id FROM group_members m WHERE m.tenant_id = $1 AND m.user_id = $2)
                     ORDER BY g.id FOR UPDATE`,
  leaveAllGroups: `WITH gone AS (
                     DELETE FROM group_members m WHERE m.tenant_id = $1 AND m.user_id = $2 RETURNING m.group_id
                   )
                   UPDATE groups g SET member_count = g.member_count - 1, version = g.version + 1, updated_at = now()
                     FROM gone WHERE g.tenant_id = $1 AND g.id = gone.group_id`,
  /** The tenant's list versions (no row yet: nothing was ever written through this code, 0). */
  listVersions: 'SELECT members::float8 AS members, changes::float8 AS changes FROM user_list_versions WHERE tenant_id = $1',
  stampSignIn: 'UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING last_login_at',
  /** The User List: by email, names or "given family"; case-insensitive substring search (not an identity match). */
  listWhere: `u.tenant_id = $1 AND ($2::text IS NULL OR lower(u.email) LIKE $2 OR lower(u.given_name) LIKE $2
              OR lower(u.given_name || ' ' || u.family_name) LIKE $2 OR lower(u.family_name) LIKE $2)`,
  groupMembers: pagedUserSql(
    `SELECT u.* FROM (SELECT gm.user_id FROM group_members gm WHERE gm.tenant_id = $1 AND gm.group_id = $2 ORDER BY gm.user_id OFFSET $3 LIMIT $4) p
       JOIN users u ON u.tenant_id = $1 AND u.id = p.user_id`,
    'u.id',
  ),
  /** Without a license of their own nor from any group (no effective license). */
  activeWithoutLicenses: `SELECT count(*)::int AS n FROM users u WHERE u.tenant_id = $1 AND u.active AND u.licenses = '{}'
     AND NOT EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.tenant_id = $1 AND g.id = gm.group_id
                      WHERE gm.tenant_id = $1 AND gm.user_id = u.id AND g.licenses <> '{}')`,
  activeAdmins: "SELECT count(*)::int AS n FROM users WHERE tenant_id = $1 AND role = 'system_admin' AND active",
  lockAdmins: "SELECT pg_advisory_xact_lock(hashtextextended('latchkey:admins:' || $1, 0))",
  /** Group membership writes: which of these ids are users SCIM has not removed, share-locked until the transaction ends. */
  liveIdsForShare: 'SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND scim_removed_at IS NULL FOR SHARE',
} as const;

/** The statements, for the bare servers of `npm run bench -- --baseline`: they send the very same text. */
export { SQL as USERS_SQL };

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async rows(text: string, params: unknown[], manager?: EntityManager): Promise<UserEntity[]> {
    return (await rowsQuery<UserRow>(this.dataSource, text, params, manager)).map(toUserEntity);
  }

  /** By primary key (SCIM GET /Users/{id}, sessions): a prepared statement. */
  async findById(tenantId: string, id: string, manager?: EntityManager): Promise<UserEntity | null> {
    if (!isUuid(id)) return null;
    const rows = await preparedQuery<UserRow>(this.dataSource, SQL.byId, [tenantId, id], manager);
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  /** Reads the row and locks it until the transaction ends (concurrent edits serialise). */
  async findByIdForUpdate(tenantId: string, id: string, manager: EntityManager): Promise<UserEntity | null> {
    if (!isUuid(id)) return null;
    return (await this.rows(SQL.byIdForUpdate, [tenantId, id], manager))[0] ?? null;
  }

  /** By the email key (ASCII letters in any case, nothing else folded), served by the unique index on it. */
  async findByEmail(tenantId: string, email: string, manager?: EntityManager): Promise<UserEntity | null> {
    const rows = await preparedQuery<UserRow>(this.dataSource, SQL.byEmailKey, [tenantId, emailKey(email)], manager);
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  async list(tenantId: string, query: UserListQuery): Promise<{ items: UserEntity[]; total: number }> {
    const search = query.search?.trim();
    const pattern = search ? `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const [items, counted] = await Promise.all([
      this.rows(pagedUserSql(`SELECT u.* FROM users u WHERE ${SQL.listWhere} ORDER BY lower(u.email), u.id OFFSET $3 LIMIT $4`, 'lower(u.email), u.id'), [
        tenantId,
        pattern,
        query.offset,
        query.limit,
      ]),
      this.dataSource.query(`SELECT count(*)::int AS n FROM users u WHERE ${SQL.listWhere}`, [tenantId, pattern]) as Promise<{ n: number }[]>,
    ]);
    return { items, total: counted[0]?.n ?? 0 };
  }

  /**
   * One page of a group's members, in the order of the membership key (tenant, group, user id):
   * the rows an OFFSET skips are read from that primary key alone (index only), and only the
   * page's users are joined, whatever the group's size; sorting a 100,000-member group by email
   * would read it all for every page. The group's existence is the caller's to check.
   */
  async listGroupMembers(tenantId: string, groupId: string, offset: number, limit: number): Promise<UserEntity[]> {
    if (!isUuid(groupId)) return [];
    return this.rows(SQL.groupMembers, [tenantId, groupId, offset, limit]);
  }

  /**
   * One page of the users matching the criteria (all of the tenant's when null), active and
   * inactive, in the stable list order (creation time, then id): `offset` rows skipped from the
   * start, or from the keyset `from` when given (see userSearchSql). Always in ascending order.
   */
  async searchPage(tenantId: string, criteria: UserCriteria | null, offset: number, limit: number, from?: UserKeyset): Promise<UserEntity[]> {
    if (limit <= 0) return [];
    const { sql, params } = userSearchSql(tenantId, criteria, offset, limit, from);
    // The userName lookup (one statement text whatever the value) is every Entra cycle's hot path:
    // prepared once per connection. Other filter shapes vary freely and are not prepared.
    const hot = !from && criteria?.kind === 'text' && criteria.field === 'email' && criteria.op === 'eq';
    const rows = hot ? (await preparedQuery<UserRow>(this.dataSource, sql, params)).map(toUserEntity) : await this.rows(sql, params);
    return from?.backward ? rows.reverse() : rows;
  }

  /** The id of the matching user `offset` rows into the list (from the start or after `from`); null past the end. */
  async keyAt(tenantId: string, criteria: UserCriteria | null, offset: number, from?: UserKeyset): Promise<string | null> {
    const { sql, params } = userKeyAtSql(tenantId, criteria, offset, from);
    const rows = (await this.dataSource.query(sql, params)) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /**
   * How many users match the criteria (all of the tenant's when null), active and inactive, not
   * removed by the IdP; with the list version (listVersions: `members` unfiltered, `changes`
   * filtered) read in the same statement, so the same snapshot: the total as of that version.
   */
  async count(tenantId: string, criteria: UserCriteria | null): Promise<{ total: number; version: number }> {
    const { sql, params } = userCountSql(tenantId, criteria);
    const rows = (await this.dataSource.query(sql, params)) as { total: number; version: number }[];
    return rows[0] ?? { total: 0, version: 0 };
  }

  /**
   * Active users holding no product license, of their own or from a group, on all pages (the User
   * List banner). One aggregate over the tenant's rows, reached through the primary key's leading
   * tenant_id; the memberships of licensed groups are an anti-join (hashed once, not probed per user).
   */
  async countActiveWithoutLicenses(tenantId: string): Promise<number> {
    const rows = (await this.dataSource.query(SQL.activeWithoutLicenses, [tenantId])) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  /** Serialises changes to the tenant's System Admins until the transaction ends. */
  async lockAdminsOf(tenantId: string, manager: EntityManager): Promise<void> {
    await manager.query(SQL.lockAdmins, [tenantId]);
  }

  async countActiveAdmins(tenantId: string, manager?: EntityManager): Promise<number> {
    const rows = await rowsQuery<{ n: number }>(this.dataSource, SQL.activeAdmins, [tenantId], manager);
    return rows[0]?.n ?? 0;
  }

  /**
   * Inserts and returns the stored row; a duplicate email raises the unique violation (23505).
   * Prepared: SCIM POST's hottest statement, a CTE PostgreSQL would otherwise plan on every call.
   */
  async insert(user: NewUserRow, manager?: EntityManager): Promise<UserEntity> {
    return toUserEntity((await preparedQuery<UserRow>(this.dataSource, SQL.insert, insertParams(user), manager))[0]!);
  }

  /** Inserts and returns the stored row, or null when the email key is taken (nothing written). */
  async insertUnlessTaken(user: NewUserRow, manager?: EntityManager): Promise<UserEntity | null> {
    const row = (await preparedQuery<UserRow>(this.dataSource, SQL.insertUnlessTaken, insertParams(user), manager))[0];
    return row ? toUserEntity(row) : null;
  }

  /**
   * Writes the user's changeable columns (not the password); bumps version and updated_at, and the
   * tenant's list versions (`membersChanged`: the user was removed by the IdP or brought back).
   */
  async update(user: UserEntity, membersChanged: boolean, manager?: EntityManager): Promise<UserEntity> {
    const params = [
      user.tenantId,
      user.id,
      user.email,
      user.givenName,
      user.familyName,
      user.active,
      user.role,
      user.licenses,
      user.externalId,
      user.displayName,
      user.scimRemovedAt !== null,
      membersChanged,
    ];
    return (await this.rows(SQL.update, params, manager))[0]!;
  }

  /** Ends every group membership of the user, keeping the groups' member_count (see SQL.leaveAllGroups). */
  async leaveAllGroups(tenantId: string, userId: string, manager: EntityManager): Promise<void> {
    await manager.query(SQL.lockUserGroups, [tenantId, userId]);
    await manager.query(SQL.leaveAllGroups, [tenantId, userId]);
  }

  /**
   * The tenant's list versions: `members` changes when a SCIM list's unfiltered total can,
   * `changes` on any write (what a filter reads). Bumped by the statements that write users.
   */
  async listVersions(tenantId: string): Promise<{ members: number; changes: number }> {
    const rows = await preparedQuery<{ members: number; changes: number }>(this.dataSource, SQL.listVersions, [tenantId]);
    return rows[0] ?? { members: 0, changes: 0 };
  }

  /**
   * Which of the ids (UUIDs) are users of the tenant not removed by SCIM; their rows stay
   * share-locked until the transaction ends, so a concurrent removal waits for it (and then
   * takes the membership away) instead of slipping in between the check and the write.
   */
  async lockLiveIds(tenantId: string, ids: readonly string[], manager: EntityManager): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await rowsQuery<{ id: string }>(this.dataSource, SQL.liveIdsForShare, [tenantId, ids], manager);
    return new Set(rows.map((r) => r.id));
  }

  /** Stamps a sign-in as the user's last; returns the time stored. */
  async stampSignIn(tenantId: string, userId: string): Promise<Date> {
    const rows = await preparedQuery<{ last_login_at: Date }>(this.dataSource, SQL.stampSignIn, [tenantId, userId]);
    return rows[0]?.last_login_at ?? new Date();
  }
}

/** The parameters of SQL.insert and SQL.insertUnlessTaken, in their column order. */
function insertParams(user: NewUserRow): unknown[] {
  return [
    user.tenantId,
    user.email,
    user.givenName,
    user.familyName,
    user.active,
    user.role,
    user.passwordHash,
    user.licenses,
    user.source,
    user.externalId ?? null,
    user.displayName ?? null,
  ];
}

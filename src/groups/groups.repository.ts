import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery, rowsQuery } from '../common/database/prepared-query.js';
import { lowerAscii } from '../common/validation/ascii-case.js';
import { isUuid } from '../common/validation/uuid.js';
import type { GroupCriteria, GroupKeyset } from './group-criteria.js';
import type { GroupEntity, GroupMember } from './group.entity.js';
import { displayNameKeySql, GROUP_COLUMNS, toGroupEntity, type GroupRow } from './group-row.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

interface MemberRow {
  group_id: string;
  user_id: string;
  display: string;
}

function toMember(row: MemberRow): GroupMember {
  return { groupId: row.group_id, userId: row.user_id, display: row.display };
}

/** The name of the unique index on (tenant_id, displayName key): its violation is "displayName taken". */
export const DISPLAY_NAME_INDEX = 'groups_tenant_display_name_key';

/** How a member is shown: the user's displayName as stored, else derived from the names (as SCIM Users shows it). */
const MEMBER_DISPLAY = "COALESCE(u.display_name, btrim(u.given_name || ' ' || u.family_name))";

/**
 * The only code that reads or writes the groups and group_members tables. Every statement pins
 * tenant_id. A membership change is ONE statement whatever the number of users (arrays bound as
 * uuid[] and unnested), and keeps groups.member_count in the same statement, so the count is
 * never recomputed and a list never counts members. The SQL, for review:
 */
const SQL = {
  byId: `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.tenant_id = $1 AND g.id = $2`,
  byIdForUpdate: `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.tenant_id = $1 AND g.id = $2 FOR UPDATE`,
  insert: `INSERT INTO groups AS g (tenant_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING ${GROUP_COLUMNS}`,
  /** The end of every write: the attributes, a new version (SCIM's ETag) and updated_at. */
  update: `UPDATE groups AS g SET display_name = $3, external_id = $4, version = g.version + 1, updated_at = now()
            WHERE g.tenant_id = $1 AND g.id = $2 RETURNING ${GROUP_COLUMNS}`,
  delete: 'DELETE FROM groups WHERE tenant_id = $1 AND id = $2',
  addMembers: `WITH added AS (
                 INSERT INTO group_members (tenant_id, group_id, user_id)
                 SELECT $1, $2, m FROM unnest($3::uuid[]) AS m
                 ON CONFLICT DO NOTHING RETURNING 1)
               UPDATE groups SET member_count = member_count + (SELECT count(*) FROM added) WHERE tenant_id = $1 AND id = $2`,
  removeMembers: `WITH removed AS (
                    DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = ANY($3::uuid[]) RETURNING 1)
                  UPDATE groups SET member_count = member_count - (SELECT count(*) FROM removed) WHERE tenant_id = $1 AND id = $2`,
  /** The member list becomes exactly $3: the others leave, the missing join; one statement. */
  replaceMembers: `WITH removed AS (
                     DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND NOT (user_id = ANY($3::uuid[])) RETURNING 1),
                   added AS (
                     INSERT INTO group_members (tenant_id, group_id, user_id)
                     SELECT $1, $2, m FROM unnest($3::uuid[]) AS m
                     ON CONFLICT DO NOTHING RETURNING 1)
                   UPDATE groups SET member_count = member_count - (SELECT count(*) FROM removed) + (SELECT count(*) FROM added)
                    WHERE tenant_id = $1 AND id = $2`,
  /**
   * One group's members after a user id, in user id order: a range read of the primary key, then
   * each member's name by primary key (a subquery per row of the LIMITed page, so the planner
   * cannot turn it into a merge join that walks the tenant's whole users index).
   */
  membersOfOne: `SELECT m.group_id, m.user_id, (SELECT ${MEMBER_DISPLAY} FROM users u WHERE u.tenant_id = $1 AND u.id = m.user_id) AS display
                   FROM (SELECT gm.group_id, gm.user_id FROM group_members gm
                          WHERE gm.tenant_id = $1 AND gm.group_id = $2 AND gm.user_id > $3 ORDER BY gm.group_id, gm.user_id LIMIT $4) m
                  ORDER BY m.user_id`,
  /** The first $3 members of each of several groups (a list page), in (group, user) order: one statement for the page. */
  firstMembersOfMany: `SELECT p.gid AS group_id, m.user_id, (SELECT ${MEMBER_DISPLAY} FROM users u WHERE u.tenant_id = $1 AND u.id = m.user_id) AS display
                         FROM unnest($2::uuid[]) AS p(gid)
                         CROSS JOIN LATERAL (SELECT gm.user_id FROM group_members gm
                                              WHERE gm.tenant_id = $1 AND gm.group_id = p.gid ORDER BY gm.group_id, gm.user_id LIMIT $3) m
                        ORDER BY p.gid, m.user_id`,
} as const;

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async rows(text: string, params: unknown[], manager?: EntityManager): Promise<GroupEntity[]> {
    return (await rowsQuery<GroupRow>(this.dataSource, text, params, manager)).map(toGroupEntity);
  }

  async findById(tenantId: string, id: string, manager?: EntityManager): Promise<GroupEntity | null> {
    if (!isUuid(id)) return null;
    const rows = await preparedQuery<GroupRow>(this.dataSource, SQL.byId, [tenantId, id], manager);
    return rows[0] ? toGroupEntity(rows[0]) : null;
  }

  /** Reads the row and locks it until the transaction ends (writes to one group serialise). */
  async findByIdForUpdate(tenantId: string, id: string, manager: EntityManager): Promise<GroupEntity | null> {
    if (!isUuid(id)) return null;
    return (await this.rows(SQL.byIdForUpdate, [tenantId, id], manager))[0] ?? null;
  }

  /** Inserts a group with no members; a taken displayName raises the unique violation (23505). */
  async insert(tenantId: string, displayName: string, externalId: string | null, manager: EntityManager): Promise<GroupEntity> {
    return (await this.rows(SQL.insert, [tenantId, displayName, externalId], manager))[0]!;
  }

  /** Writes displayName and externalId and bumps the version; returns the row as stored. */
  async update(tenantId: string, id: string, displayName: string, externalId: string | null, manager: EntityManager): Promise<GroupEntity> {
    return (await this.rows(SQL.update, [tenantId, id, displayName, externalId], manager))[0]!;
  }

  /** Deletes the group; its memberships go with it (ON DELETE CASCADE), its users stay. */
  async delete(tenantId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.query(SQL.delete, [tenantId, id]);
  }

  async addMembers(tenantId: string, groupId: string, userIds: readonly string[], manager: EntityManager): Promise<void> {
    if (userIds.length > 0) await manager.query(SQL.addMembers, [tenantId, groupId, userIds]);
  }

  async removeMembers(tenantId: string, groupId: string, userIds: readonly string[], manager: EntityManager): Promise<void> {
    if (userIds.length > 0) await manager.query(SQL.removeMembers, [tenantId, groupId, userIds]);
  }

  async replaceMembers(tenantId: string, groupId: string, userIds: readonly string[], manager: EntityManager): Promise<void> {
    await manager.query(SQL.replaceMembers, [tenantId, groupId, userIds]);
  }

  /**
   * The members of the given groups (ids in ascending order) in (group id, user id) order, at most
   * `chunk` per statement: a keyset walk of the primary key, so a 100,000-member group is read in
   * pieces and never held whole. Several groups (a list page) start with one statement reading the
   * first chunk/groups members of each; only a group with more continues with a walk of its own.
   * Each statement is a snapshot of its own: a group changed during the walk may show a mix.
   */
  async *members(tenantId: string, groupIds: readonly string[], chunk: number): AsyncGenerator<GroupMember[]> {
    if (groupIds.length === 1) {
      yield* this.walk(tenantId, groupIds[0]!, NIL_UUID, chunk);
      return;
    }
    if (groupIds.length === 0) return;
    const each = Math.max(1, Math.floor(chunk / groupIds.length));
    const rows = await rowsQuery<MemberRow>(this.dataSource, SQL.firstMembersOfMany, [tenantId, groupIds, each + 1]);
    let i = 0;
    while (i < rows.length) {
      const groupId = rows[i]!.group_id;
      let end = i;
      while (end < rows.length && rows[end]!.group_id === groupId) end++;
      const mine = rows.slice(i, Math.min(end, i + each)).map(toMember);
      yield mine;
      // One row more than `each`: the group goes on; walk the rest of it alone.
      if (end - i > each) yield* this.walk(tenantId, groupId, mine.at(-1)!.userId, chunk);
      i = end;
    }
  }

  private async *walk(tenantId: string, groupId: string, afterUserId: string, chunk: number): AsyncGenerator<GroupMember[]> {
    let after = afterUserId;
    for (;;) {
      const rows = await preparedQuery<MemberRow>(this.dataSource, SQL.membersOfOne, [tenantId, groupId, after, chunk]);
      if (rows.length > 0) yield rows.map(toMember);
      if (rows.length < chunk) return;
      after = rows.at(-1)!.user_id;
    }
  }

  /**
   * One page of the groups matching the criteria, in id order (the primary key (tenant_id, id)
   * serves it): `offset` rows skipped from the start, or from the keyset `from`. Ordered by id
   * alone, not creation time as users are, because groups are deleted: a cursor or page anchor
   * naming a deleted group still says where the next page starts. Always in ascending order.
   */
  async searchPage(tenantId: string, criteria: GroupCriteria | null, offset: number, limit: number, from?: GroupKeyset): Promise<GroupEntity[]> {
    if (limit <= 0 || criteria?.none) return [];
    const { sql, params } = pageSql(GROUP_COLUMNS, tenantId, criteria, offset, limit, from);
    const rows = await this.rows(sql, params);
    return from?.backward ? rows.reverse() : rows;
  }

  /** The id of the matching group `offset` rows into the list (from the start or after `from`); null past the end. */
  async keyAt(tenantId: string, criteria: GroupCriteria | null, offset: number, from?: GroupKeyset): Promise<string | null> {
    if (criteria?.none) return null;
    const { sql, params } = pageSql('g.id', tenantId, criteria, offset, 1, from);
    const rows = (await this.dataSource.query(sql, params)) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** How many groups match: exact, every time (groups are few next to users, and filters pin them by index). */
  async count(tenantId: string, criteria: GroupCriteria | null): Promise<number> {
    if (criteria?.none) return 0;
    const params: unknown[] = [tenantId];
    const where = criteria ? criteriaSql(criteria, params) : '';
    const rows = (await this.dataSource.query(`SELECT count(*)::int AS total FROM groups g WHERE g.tenant_id = $1${where}`, params)) as { total: number }[];
    return rows[0]?.total ?? 0;
  }
}

/** The conditions of a criteria as SQL text over alias g (values bound as parameters). */
function criteriaSql(criteria: GroupCriteria, params: unknown[]): string {
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  let sql = '';
  // The index expression, compared with a value folded the same way here: the unique index serves it.
  for (const name of criteria.displayNames) sql += ` AND ${displayNameKeySql('g.display_name')} = ${bind(lowerAscii(name))}`;
  for (const externalId of criteria.externalIds) sql += ` AND g.external_id = ${bind(externalId)}`;
  for (const id of criteria.ids) sql += ` AND g.id = ${bind(id)}::uuid`;
  for (const userId of criteria.memberIds) {
    sql += ` AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = g.tenant_id AND gm.group_id = g.id AND gm.user_id = ${bind(userId)}::uuid)`;
  }
  return sql;
}

function pageSql(columns: string, tenantId: string, criteria: GroupCriteria | null, offset: number, limit: number, from?: GroupKeyset): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  let where = criteria ? criteriaSql(criteria, params) : '';
  let order = 'g.id';
  if (from) {
    params.push(from.groupId);
    where += ` AND g.id ${from.backward ? '<' : '>'} $${params.length}::uuid`;
    if (from.backward) order = 'g.id DESC';
  }
  params.push(limit, offset);
  return {
    sql: `SELECT ${columns} FROM groups g WHERE g.tenant_id = $1${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery, rowsQuery } from '../common/database/prepared-query.js';
import { lowerAscii } from '../common/validation/ascii-case.js';
import { displayNameKeySql } from './group-row.js';
import { isUuid } from '../common/validation/uuid.js';
import { normaliseLicenses, type LicenseKey } from '../users/licenses.js';

/** What the admin API shows of a group (the SCIM side owns its members and name). */
export interface GroupSummary {
  tenantId: string;
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  licenses: LicenseKey[];
  source: 'scim';
  createdAt: Date;
  updatedAt: Date;
}

interface GroupSummaryRow {
  tenant_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  member_count: number;
  licenses: string[];
  source: 'scim';
  created_at: Date;
  updated_at: Date;
}

export interface GroupListQuery {
  search?: string;
  offset: number;
  limit: number;
}

/**
 * The group name's key, exactly the expression of the unique index groups_tenant_display_name_key
 * (migration 1795530000000): ASCII letters folded, nothing else. Ordering by it reads that index.
 */
const NAME_KEY = displayNameKeySql('g.display_name');
const COLUMNS = 'g.tenant_id, g.id, g.display_name, g.external_id, g.member_count, g.licenses, g.source, g.created_at, g.updated_at';

const SQL = {
  /**
   * The Groups page: in name order, read along the (tenant_id, name key) index, so a page without
   * a search stops after offset + limit entries; a search is a substring of the name key (ASCII
   * letters in any case), checked along the same index.
   */
  listWhere: `g.tenant_id = $1 AND ($2::text IS NULL OR ${NAME_KEY} LIKE $2)`,
  byId: `SELECT ${COLUMNS} FROM groups g WHERE g.tenant_id = $1 AND g.id = $2`,
  byIdForUpdate: `SELECT ${COLUMNS} FROM groups g WHERE g.tenant_id = $1 AND g.id = $2 FOR UPDATE`,
  /** Licenses are no SCIM attribute: the version (the Group's ETag) stays; updated_at moves. */
  setLicenses: `UPDATE groups AS g SET licenses = $3, updated_at = now() WHERE g.tenant_id = $1 AND g.id = $2 RETURNING ${COLUMNS}`,
} as const;

/**
 * The admin side of the groups table: list, read, and the one column an admin writes (licenses).
 * Every statement pins tenant_id. Memberships and names are written by SCIM only.
 */
@Injectable()
export class GroupLicensesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(tenantId: string, query: GroupListQuery): Promise<{ items: GroupSummary[]; total: number }> {
    const search = query.search?.trim();
    const pattern = search ? `%${lowerAscii(search).replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const [rows, counted] = await Promise.all([
      rowsQuery<GroupSummaryRow>(this.dataSource, `SELECT ${COLUMNS} FROM groups g WHERE ${SQL.listWhere} ORDER BY ${NAME_KEY} OFFSET $3 LIMIT $4`, [
        tenantId,
        pattern,
        query.offset,
        query.limit,
      ]),
      rowsQuery<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM groups g WHERE ${SQL.listWhere}`, [tenantId, pattern]),
    ]);
    return { items: rows.map(toGroupSummary), total: counted[0]?.n ?? 0 };
  }

  async findById(tenantId: string, id: string): Promise<GroupSummary | null> {
    if (!isUuid(id)) return null;
    const rows = await preparedQuery<GroupSummaryRow>(this.dataSource, SQL.byId, [tenantId, id]);
    return rows[0] ? toGroupSummary(rows[0]) : null;
  }

  /** Reads the row and locks it until the transaction ends (concurrent license edits serialise). */
  async findByIdForUpdate(tenantId: string, id: string, manager: EntityManager): Promise<GroupSummary | null> {
    if (!isUuid(id)) return null;
    const rows = await rowsQuery<GroupSummaryRow>(this.dataSource, SQL.byIdForUpdate, [tenantId, id], manager);
    return rows[0] ? toGroupSummary(rows[0]) : null;
  }

  async setLicenses(tenantId: string, id: string, licenses: LicenseKey[], manager: EntityManager): Promise<GroupSummary> {
    const rows = await rowsQuery<GroupSummaryRow>(this.dataSource, SQL.setLicenses, [tenantId, id, licenses], manager);
    return toGroupSummary(rows[0]!);
  }
}

function toGroupSummary(row: GroupSummaryRow): GroupSummary {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    memberCount: row.member_count,
    licenses: normaliseLicenses(row.licenses as LicenseKey[]),
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

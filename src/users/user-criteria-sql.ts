import { isUuid } from '../common/validation/uuid.js';
import type { UserCriteria, UserField, UserTextField } from './user-criteria.js';
import { emailKey, emailKeySql } from './email-key.js';
import { USER_COLUMNS } from './user-row.js';

/** Column expressions of the users table (alias u). Only these fixed strings ever reach SQL text. */
const COLUMN: Record<UserField, string> = {
  email: 'u.email',
  externalId: 'u.external_id',
  id: 'u.id::text',
  givenName: 'u.given_name',
  familyName: 'u.family_name',
  // As SCIM shows it: as the IdP sent it, else derived from the names (scim/wire/scim-user.ts displayNameOf).
  displayName: "coalesce(u.display_name, btrim(u.given_name || ' ' || u.family_name))",
  createdAt: 'u.created_at',
  updatedAt: 'u.updated_at',
  active: 'u.active',
};

/**
 * Users a SCIM list holds: not removed by the identity provider (RFC 7644 §3.6: a deleted resource
 * is gone from every query). Written as the partial order index's predicate, so the index serves it.
 */
const LISTED = 'u.scim_removed_at IS NULL';

const ORDER_SQL = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;


function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * How a case-insensitive comparison folds both sides. Email compares by its key (ASCII letters
 * only, see email-key.ts): the column side is the indexed expression, the value is keyed here, so
 * `userName eq` is the very lookup sign-in does and, next to `u.tenant_id = $1`, is served by the
 * unique index on (tenant_id, emailKeySql(email)). Names are searched, never matched as an
 * identity, and keep lower().
 */
function folding(field: UserTextField, caseInsensitive: boolean, col: string) {
  if (!caseInsensitive) return { lhs: col, value: (v: string) => v, rhs: (p: string) => p };
  if (field === 'email') return { lhs: emailKeySql(col), value: emailKey, rhs: (p: string) => p };
  return { lhs: `lower(${col})`, value: (v: string) => v, rhs: (p: string) => `lower(${p})` };
}

type TextEq = Extract<UserCriteria, { kind: 'text' }> & { op: 'eq'; value: string };

function isFoldableEq(c: UserCriteria): c is TextEq {
  // Email (by its key) and exact text fold in JavaScript; lower() of names stays in SQL, and ids are cast.
  return c.kind === 'text' && c.op === 'eq' && c.value !== null && c.field !== 'id' && (c.field === 'email' || !c.caseInsensitive);
}

/**
 * An OR of equalities on one attribute (`userName eq "a" or userName eq "b"`) as one
 * `column = ANY($n)`: PostgreSQL evaluates the column expression (the email key's translate())
 * once per row instead of once per value, and one index scan serves every value. Operands keep
 * their order (a group stands where its first member stood).
 */
function orOperandsSql(items: UserCriteria[], params: unknown[], bind: (value: unknown) => string): string[] {
  const groups = new Map<string, TextEq[]>();
  for (const c of items) {
    if (!isFoldableEq(c)) continue;
    const key = `${c.field}:${c.caseInsensitive}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: string[] = [];
  for (const c of items) {
    const group = isFoldableEq(c) ? groups.get(`${c.field}:${c.caseInsensitive}`)! : undefined;
    if (!group || group.length === 1) {
      out.push(userCriteriaToSql(c, params));
    } else if (group[0] === c) {
      const { lhs, value: fold } = folding(c.field, c.caseInsensitive, COLUMN[c.field]);
      out.push(`${lhs} = ANY(${bind([...new Set(group.map((g) => fold(g.value)))])}::text[])`);
    }
  }
  return out;
}

/** Appends the criteria as a SQL boolean expression to `params` ($n placeholders). */
export function userCriteriaToSql(criteria: UserCriteria, params: unknown[]): string {
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  switch (criteria.kind) {
    case 'const':
      return criteria.value ? 'TRUE' : 'FALSE';
    case 'and':
    case 'or': {
      if (criteria.items.length === 0) return criteria.kind === 'and' ? 'TRUE' : 'FALSE';
      if (criteria.kind === 'or') return `(${orOperandsSql(criteria.items, params, bind).join(' OR ')})`;
      return `(${criteria.items.map((c) => userCriteriaToSql(c, params)).join(' AND ')})`;
    }
    case 'not':
      // A condition on an unassigned value is unknown (NULL); NOT of it must still be a boolean.
      return `NOT coalesce(${userCriteriaToSql(criteria.item, params)}, FALSE)`;
    case 'present': {
      const col = COLUMN[criteria.field];
      if (criteria.field === 'active' || criteria.field === 'createdAt' || criteria.field === 'updatedAt' || criteria.field === 'id') return 'TRUE';
      return `(${col} IS NOT NULL AND ${col} <> '')`;
    }
    case 'bool':
      return `${COLUMN.active} ${criteria.op === 'eq' ? '=' : '<>'} ${bind(criteria.value)}`;
    case 'time':
      return `${COLUMN[criteria.field]} ${ORDER_SQL[criteria.op]} ${bind(criteria.value)}::timestamptz`;
    case 'text': {
      const col = COLUMN[criteria.field];
      if (criteria.value === null) {
        if (criteria.op === 'eq') return `(${col} IS NULL OR ${col} = '')`;
        if (criteria.op === 'ne') return `(${col} IS NOT NULL AND ${col} <> '')`;
        return 'FALSE';
      }
      if (criteria.field === 'id' && criteria.op === 'eq') {
        // Served by the primary key; a value that is no UUID matches nothing (and is never cast).
        return isUuid(criteria.value) ? `u.id = ${bind(criteria.value)}::uuid` : 'FALSE';
      }
      const { lhs, value: fold, rhs } = folding(criteria.field, criteria.caseInsensitive, col);
      const value = fold(criteria.value);
      switch (criteria.op) {
        case 'eq':
          return `${lhs} = ${rhs(bind(value))}`;
        case 'ne':
          return `${lhs} IS DISTINCT FROM ${rhs(bind(value))}`;
        case 'co':
          return `${lhs} LIKE '%' || ${rhs(bind(escapeLike(value)))} || '%'`;
        case 'sw':
          return `${lhs} LIKE ${rhs(bind(escapeLike(value)))} || '%'`;
        case 'ew':
          return `${lhs} LIKE '%' || ${rhs(bind(escapeLike(value)))}`;
        default:
          return `${lhs} ${ORDER_SQL[criteria.op]} ${rhs(bind(value))}`;
      }
    }
  }
}

/** Where a keyset page starts: after (forward) or before (backward) a user, in the list order. */
export interface UserKeyset {
  userId: string;
  backward: boolean;
}

/**
 * The SCIM list query: one page in a stable order (creation time, then id), served by the index
 * on (tenant_id, created_at, id) of the users the IdP has not removed. With `from`, the page
 * starts right after (or, backward, ends right before) that user's (created_at, id), looked up by
 * primary key (a removed user still anchors a page): a range read of the index
 * that costs the same at any depth. `offset` rows are skipped from there (0 for keyset reads; the
 * fallback when no keyset is known). Backward pages come in descending order; the caller reverses.
 */
export function userSearchSql(
  tenantId: string,
  criteria: UserCriteria | null,
  offset: number,
  limit: number,
  from?: UserKeyset,
): { sql: string; params: unknown[] } {
  return pageSql(USER_COLUMNS, tenantId, criteria, offset, limit, from);
}

/**
 * The id of the user `offset` rows into the list (from the start, or after `from`): the skip of
 * an index-based jump, reading only the index (tenant_id, created_at, id) when there is no filter.
 */
export function userKeyAtSql(tenantId: string, criteria: UserCriteria | null, offset: number, from?: UserKeyset): { sql: string; params: unknown[] } {
  return pageSql('u.id', tenantId, criteria, offset, 1, from);
}

function pageSql(columns: string, tenantId: string, criteria: UserCriteria | null, offset: number, limit: number, from?: UserKeyset): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  let where = criteria ? ` AND ${userCriteriaToSql(criteria, params)}` : '';
  let order = 'u.created_at, u.id';
  if (from) {
    params.push(from.userId);
    const op = from.backward ? '<' : '>';
    where += ` AND (u.created_at, u.id) ${op} (SELECT k.created_at, k.id FROM users k WHERE k.tenant_id = $1 AND k.id = $${params.length}::uuid)`;
    if (from.backward) order = 'u.created_at DESC, u.id DESC';
  }
  params.push(limit, offset);
  return {
    sql: `SELECT ${columns} FROM users u WHERE u.tenant_id = $1 AND ${LISTED}${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  };
}

/**
 * The count of a SCIM list, with the tenant's list version it holds for, in one statement (one
 * snapshot): `members` for the unfiltered list (only inserts, removals and revivals change it),
 * `changes` for a filtered one (any write may).
 */
export function userCountSql(tenantId: string, criteria: UserCriteria | null): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  const where = criteria ? ` AND ${userCriteriaToSql(criteria, params)}` : '';
  const counter = criteria ? 'changes' : 'members';
  return {
    sql: `SELECT count(*)::int AS total,
                 coalesce((SELECT v.${counter} FROM user_list_versions v WHERE v.tenant_id = $1), 0)::float8 AS version
            FROM users u WHERE u.tenant_id = $1 AND ${LISTED}${where}`,
    params,
  };
}

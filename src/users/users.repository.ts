import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import type { UserCriteria } from './user-criteria.js';
import { emailKey, emailKeySql } from './email-key.js';
import { USER_COLUMNS, userCountSql, userKeyAtSql, userSearchSql, type UserKeyset } from './user-criteria-sql.js';
import { UserEntity, type UserRole, type UserSource } from './user.entity.js';
import type { LicenseKey } from './licenses.js';
import { preparedQuery } from '../common/database/prepared-query.js';
import { isUuid } from '../common/validation/uuid.js';

export interface UserListQuery {
  search?: string;
  offset: number;
  limit: number;
}

/** The only code that reads or writes the users table. Every method takes the tenant first. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity);
  }

  /** By primary key (SCIM GET /Users/{id}, sessions): a prepared statement. */
  async findById(tenantId: string, id: string, manager?: EntityManager): Promise<UserEntity | null> {
    if (!isUuid(id)) return null;
    const rows = await preparedQuery<UserRow>(this.dataSource, `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2`, [tenantId, id], manager);
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  /** Reads the row and locks it until the transaction ends (concurrent admin edits serialise). */
  findByIdForUpdate(tenantId: string, id: string, manager: EntityManager): Promise<UserEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.repo(manager).findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /** By the email key (ASCII letters in any case, nothing else folded), served by the unique index on it. */
  async findByEmail(tenantId: string, email: string, manager?: EntityManager): Promise<UserEntity | null> {
    const rows = await preparedQuery<UserRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND ${emailKeySql('u.email')} = $2`,
      [tenantId, emailKey(email)],
      manager,
    );
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  async list(tenantId: string, query: UserListQuery): Promise<{ items: UserEntity[]; total: number }> {
    const qb = this.repo().createQueryBuilder('u').where('u.tenant_id = :tenantId', { tenantId });
    const search = query.search?.trim();
    if (search) {
      const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('lower(u.email) LIKE :pattern', { pattern })
            .orWhere('lower(u.given_name) LIKE :pattern')
            .orWhere("lower(u.given_name || ' ' || u.family_name) LIKE :pattern")
            .orWhere('lower(u.family_name) LIKE :pattern'),
        ),
      );
    }
    const [items, total] = await qb
      .orderBy('lower(u.email)', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .offset(query.offset)
      .limit(query.limit)
      .getManyAndCount();
    return { items, total };
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
    const raw = hot ? await preparedQuery<UserRow>(this.dataSource, sql, params) : ((await this.dataSource.query(sql, params)) as UserRow[]);
    const rows = raw.map(toUserEntity);
    return from?.backward ? rows.reverse() : rows;
  }

  /** The id of the matching user `offset` rows into the list (from the start or after `from`); null past the end. */
  async keyAt(tenantId: string, criteria: UserCriteria | null, offset: number, from?: UserKeyset): Promise<string | null> {
    const { sql, params } = userKeyAtSql(tenantId, criteria, offset, from);
    const rows = (await this.dataSource.query(sql, params)) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** How many users match the criteria (all of the tenant's when null), active and inactive. */
  async count(tenantId: string, criteria: UserCriteria | null): Promise<number> {
    const { sql, params } = userCountSql(tenantId, criteria);
    const rows = (await this.dataSource.query(sql, params)) as { total: number }[];
    return rows[0]?.total ?? 0;
  }

  /**
   * Active users holding no product license, on all pages (the User List banner). One aggregate
   * over the tenant's rows, reached through the primary key's leading tenant_id.
   */
  async countActiveWithoutLicenses(tenantId: string): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      "SELECT count(*)::int AS n FROM users WHERE tenant_id = $1 AND active AND licenses = '{}'",
      [tenantId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Serialises changes to the tenant's System Admins until the transaction ends. */
  async lockAdminsOf(tenantId: string, manager: EntityManager): Promise<void> {
    await manager.query("SELECT pg_advisory_xact_lock(hashtextextended('latchkey:admins:' || $1, 0))", [tenantId]);
  }

  countActiveAdmins(tenantId: string, manager?: EntityManager): Promise<number> {
    return this.repo(manager).count({ where: { tenantId, role: 'system_admin', active: true } });
  }

  /** Inserts and returns the stored row; a duplicate email raises the unique violation (23505). */
  async insert(user: Partial<UserEntity> & { tenantId: string; email: string }, manager?: EntityManager): Promise<UserEntity> {
    const repo = this.repo(manager);
    const result = await repo.insert(repo.create(user));
    const id = (result.identifiers[0] as { id: string }).id;
    const stored = await repo.findOneOrFail({ where: { tenantId: user.tenantId, id } });
    return stored;
  }

  /** Saves changed columns; bumps version and updated_at. */
  save(user: UserEntity, manager?: EntityManager): Promise<UserEntity> {
    return this.repo(manager).save(user);
  }
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
}

/** Maps a row of USER_COLUMNS to the entity (for queries that read users beside other data). */
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
  });
}


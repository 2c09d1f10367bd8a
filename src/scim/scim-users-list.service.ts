import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { KeyRing } from '../common/crypto/key-ring.js';
import { AppConfig } from '../config/app-config.js';
import type { UserCriteria } from '../users/user-criteria.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { ScimPageAnchorsRepository } from './scim-page-anchors.repository.js';
import type { ScimTenant } from './scim-request.js';
import { ScimUsersService } from './scim-users.service.js';
import { ScimCursorCodec, type CursorScope } from './wire/scim-cursor.js';
import { ScimException } from './wire/scim-exception.js';
import { cursorListResponse, listResponse, type ScimCursorListResponse, type ScimListResponse } from './wire/scim-list-response.js';
import { SCIM_DEFAULT_COUNT, SCIM_MAX_RESULTS } from './wire/scim-schemas.js';
import { scimFilterToCriteria } from './wire/scim-user-filter.js';
import type { ScimUser } from './wire/scim-user.js';

const MAX_START_INDEX = 2_147_483_647;

export interface ScimListQuery {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  cursor?: unknown;
}

/**
 * GET /Users: index-based paging (RFC 7644 §3.4.2.4, the default) and cursor-based paging
 * (RFC 9865), both reading the users index on (tenant_id, created_at, id) from a known key, so a
 * page costs the same at any depth.
 *
 * Index-based: a reader that goes on where its previous page ended (startIndex 1, 101, 201, …)
 * finds a page anchor, written by the previous page, saying after which user position startIndex
 * begins; the page is then a keyset read. Without an anchor (a jump, or anchors expired) the page
 * is read with OFFSET from the nearest anchor below, or from the start.
 *
 * Cursor-based: the cursor itself carries the user to continue from (signed, see ScimCursorCodec).
 */
@Injectable()
export class ScimUsersListService {
  private readonly codec: ScimCursorCodec;
  private readonly ttlSeconds: number;
  private readonly totalCacheSeconds: number;

  constructor(
    private readonly users: UsersService,
    private readonly anchors: ScimPageAnchorsRepository,
    private readonly scimUsers: ScimUsersService,
    config: AppConfig,
    keys: KeyRing,
  ) {
    this.ttlSeconds = config.SCIM_CURSOR_TIMEOUT_SECONDS;
    this.totalCacheSeconds = config.SCIM_LIST_TOTAL_CACHE_SECONDS;
    this.codec = new ScimCursorCodec(keys.key('scim-cursor'), this.ttlSeconds);
  }

  /** Removes page anchors past their cursorTimeout (housekeeping); returns how many. */
  purgeExpired(): Promise<number> {
    return this.anchors.purgeExpired();
  }

  async list(tenant: ScimTenant, query: ScimListQuery): Promise<ScimListResponse<ScimUser> | ScimCursorListResponse<ScimUser>> {
    const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, integerParam(query.count, 'count') ?? SCIM_DEFAULT_COUNT));
    let criteria: UserCriteria | null = null;
    if (query.filter !== undefined) {
      if (typeof query.filter !== 'string') throw new ScimException(400, 'invalidFilter', 'Give one filter parameter');
      criteria = scimFilterToCriteria(query.filter);
    }
    // Hashed only when read: a userName lookup (a first page that is the whole result) needs no anchor, total or cursor.
    let hash: Buffer | undefined;
    const queryHash = () => (hash ??= scimQueryHash(criteria));
    if (query.cursor !== undefined) {
      if (query.startIndex !== undefined) {
        throw ScimException.invalidValue('Use either startIndex (index-based paging) or cursor (cursor-based paging, RFC 9865), not both');
      }
      if (typeof query.cursor !== 'string') throw new ScimException(400, 'invalidCursor', 'Give one cursor parameter');
      return this.cursorPage(tenant, criteria, { tenantId: tenant.id, queryHash: queryHash() }, query.cursor, count);
    }
    const startIndex = Math.min(MAX_START_INDEX, Math.max(1, integerParam(query.startIndex, 'startIndex') ?? 1));
    return this.indexPage(tenant, criteria, queryHash, startIndex, count);
  }

  private async indexPage(tenant: ScimTenant, criteria: UserCriteria | null, queryHash: () => Buffer, startIndex: number, count: number): Promise<ScimListResponse<ScimUser>> {
    let items: UserEntity[] = [];
    if (count > 0) items = await this.readFrom(tenant, criteria, queryHash, startIndex, count);
    // A first page that is not full is the whole result (every userName lookup): no count needed.
    const complete = startIndex === 1 && count > 0 && items.length < count;
    const totalResults = await this.totalResults(tenant.id, criteria, queryHash, complete ? items.length : null);
    const last = items.at(-1);
    if (last && items.length === count) {
      // A next page may follow: remember where it starts, for whichever instance serves it. Not
      // judged by totalResults: users leaving a filtered set shrink the total while the reader's
      // startIndex keeps counting the users it has already read.
      await this.anchors.save(tenant.id, queryHash(), { startIndex: startIndex + count, afterId: last.id }, this.ttlSeconds);
    }
    return listResponse(
      items.map((u) => this.scimUsers.toResource(tenant, u)),
      totalResults,
      startIndex,
    );
  }

  /**
   * totalResults, exact for this request: `known` when the page itself holds the whole result;
   * else the count of the tenant's matching users. A count is stored with the tenant's list
   * version it was taken at (UsersService.listVersion: every user write bumps it in the same
   * statement) and reused, for up to SCIM_LIST_TOTAL_CACHE_SECONDS, only while the version is
   * unchanged: paging through a million unchanged users counts them once, and a user created or
   * removed a moment before is always counted.
   */
  private async totalResults(tenantId: string, criteria: UserCriteria | null, queryHash: () => Buffer, known: number | null): Promise<number> {
    if (known !== null) return known;
    if (this.totalCacheSeconds === 0) return (await this.users.count(tenantId, criteria)).total;
    const version = await this.users.listVersion(tenantId, criteria !== null);
    const cached = await this.anchors.cachedTotal(tenantId, queryHash(), version);
    if (cached !== null) return cached;
    const counted = await this.users.count(tenantId, criteria);
    await this.anchors.saveTotal(tenantId, queryHash(), counted.total, counted.version, this.totalCacheSeconds);
    return counted.total;
  }

  /**
   * `count` users from position startIndex. From an anchor at startIndex (the reader's previous
   * page left it) this is one keyset read. Otherwise the position is found by skipping, in the
   * index only, from the nearest anchor below (or the start), and kept as an anchor, so the page
   * and the ones after it are keyset reads from then on.
   */
  private async readFrom(tenant: ScimTenant, criteria: UserCriteria | null, queryHash: () => Buffer, startIndex: number, count: number): Promise<UserEntity[]> {
    const anchor = startIndex > 1 ? await this.anchors.nearest(tenant.id, queryHash(), startIndex) : null;
    const base = anchor ? { userId: anchor.afterId, backward: false } : undefined;
    const skip = startIndex - (anchor?.startIndex ?? 1);
    if (skip === 0) return this.users.searchPage(tenant.id, criteria, 0, count, base);
    const afterId = await this.users.keyAt(tenant.id, criteria, skip - 1, base);
    if (afterId === null) return []; // startIndex is past the end
    await this.anchors.save(tenant.id, queryHash(), { startIndex, afterId }, this.ttlSeconds);
    return this.users.searchPage(tenant.id, criteria, 0, count, { userId: afterId, backward: false });
  }

  private async cursorPage(tenant: ScimTenant, criteria: UserCriteria | null, scope: CursorScope, cursor: string, count: number): Promise<ScimCursorListResponse<ScimUser>> {
    const position = cursor === '' ? null : this.codec.decode(scope, cursor);
    let page: CursorPage = { items: [], hasNext: false, hasPrevious: false };
    if (count > 0 && position?.direction === 'previous') {
      // One more than a page, backwards: the extra user says whether a page lies before this one.
      const rows = await this.users.searchPage(tenant.id, criteria, 0, count + 1, { userId: position.userId, backward: true });
      page = rows.length > count ? { items: rows.slice(1), hasNext: true, hasPrevious: true } : await this.forwardPage(tenant, criteria, null, count);
    } else if (count > 0) {
      page = await this.forwardPage(tenant, criteria, position?.userId ?? null, count);
    }
    const first = page.items[0];
    const last = page.items.at(-1);
    const complete = position === null && count > 0 && !page.hasNext;
    return cursorListResponse(
      page.items.map((u) => this.scimUsers.toResource(tenant, u)),
      await this.totalResults(tenant.id, criteria, () => scope.queryHash, complete ? page.items.length : null),
      page.hasNext && last ? this.codec.encode(scope, { direction: 'next', userId: last.id }) : undefined,
      page.hasPrevious && first ? this.codec.encode(scope, { direction: 'previous', userId: first.id }) : undefined,
    );
  }

  /** A page after a user (from the start when null), reading one more to learn whether another page follows. */
  private async forwardPage(tenant: ScimTenant, criteria: UserCriteria | null, afterId: string | null, count: number): Promise<CursorPage> {
    const rows = await this.users.searchPage(tenant.id, criteria, 0, count + 1, afterId ? { userId: afterId, backward: false } : undefined);
    const items = rows.slice(0, count);
    let hasPrevious = false;
    const first = items[0];
    if (afterId && first) {
      // RFC 9865: no previousCursor on the first page. Before this page lies at least the cursor's
      // user, unless it (and everyone before it) no longer matches the filter.
      const before = await this.users.searchPage(tenant.id, criteria, 0, 1, { userId: first.id, backward: true });
      hasPrevious = before.length > 0;
    }
    return { items, hasNext: rows.length > count, hasPrevious };
  }
}

interface CursorPage {
  items: UserEntity[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/** Identifies a query (the filter, normalised by parsing) for anchors and cursors; the tenant is kept apart. */
export function scimQueryHash(criteria: UserCriteria | null): Buffer {
  return createHash('sha256').update(JSON.stringify(criteria)).digest();
}

/** startIndex / count: integers (RFC 7644 §3.4.2.4); anything else is 400 invalidValue. */
function integerParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[+-]?\d{1,15}$/.test(value.trim())) {
    throw ScimException.invalidValue(`${name} must be an integer`);
  }
  return Number.parseInt(value.trim(), 10);
}

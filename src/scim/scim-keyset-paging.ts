import { createHash } from 'node:crypto';
import type { KeyRing } from '../common/crypto/key-ring.js';
import type { ScimPageAnchorsRepository } from './scim-page-anchors.repository.js';
import { ScimCursorCodec, type CursorScope } from './wire/scim-cursor.js';
import { ScimException } from './wire/scim-exception.js';
import { SCIM_DEFAULT_COUNT, SCIM_MAX_RESULTS } from './wire/scim-schemas.js';

const MAX_START_INDEX = 2_147_483_647;

/** Where a keyset read starts: after (forward) or before (backward) a resource, in the list order. */
export interface Keyset {
  id: string;
  backward: boolean;
}

/** What the paging needs of a resource store: keyset pages, the key at an offset, and exact counts. */
export interface KeysetSource<T extends { id: string }, C> {
  page(tenantId: string, criteria: C | null, offset: number, limit: number, from?: Keyset): Promise<T[]>;
  keyAt(tenantId: string, criteria: C | null, offset: number, from?: Keyset): Promise<string | null>;
  count(tenantId: string, criteria: C | null): Promise<number>;
}

export interface ScimPagingQuery {
  startIndex?: unknown;
  count?: unknown;
  cursor?: unknown;
}

export type KeysetPage<T> =
  | { kind: 'index'; items: T[]; totalResults: number; startIndex: number }
  | { kind: 'cursor'; items: T[]; totalResults: number; nextCursor?: string; previousCursor?: string };

/**
 * The paging of a SCIM list over any resource store with a stable order (the machinery of
 * GET /Users, for a resource given as a KeysetSource): index-based paging that continues from the
 * page anchor the previous page left (scim_page_anchors), else skips from the nearest anchor; and
 * RFC 9865 cursors carrying the resource to continue from (ScimCursorCodec). totalResults is exact:
 * counted for every page that is not itself the whole result.
 */
export class ScimKeysetPaging<T extends { id: string }, C> {
  private readonly codec: ScimCursorCodec;

  constructor(
    /** Keeps the anchors and cursors of one resource type apart from another's. */
    private readonly resourceType: string,
    private readonly source: KeysetSource<T, C>,
    private readonly anchors: ScimPageAnchorsRepository,
    keys: KeyRing,
    private readonly ttlSeconds: number,
  ) {
    this.codec = new ScimCursorCodec(keys.key('scim-cursor'), ttlSeconds);
  }

  async page(tenantId: string, criteria: C | null, query: ScimPagingQuery): Promise<KeysetPage<T>> {
    const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, integerParam(query.count, 'count') ?? SCIM_DEFAULT_COUNT));
    const queryHash = createHash('sha256').update(JSON.stringify({ resourceType: this.resourceType, criteria })).digest();
    if (query.cursor !== undefined) {
      if (query.startIndex !== undefined) {
        throw ScimException.invalidValue('Use either startIndex (index-based paging) or cursor (cursor-based paging, RFC 9865), not both');
      }
      if (typeof query.cursor !== 'string') throw new ScimException(400, 'invalidCursor', 'Give one cursor parameter');
      return this.cursorPage(tenantId, criteria, { tenantId, queryHash }, query.cursor, count);
    }
    const startIndex = Math.min(MAX_START_INDEX, Math.max(1, integerParam(query.startIndex, 'startIndex') ?? 1));
    let items: T[] = [];
    if (count > 0) items = await this.readFrom(tenantId, criteria, queryHash, startIndex, count);
    // A first page that is not full is the whole result (every displayName lookup): no count needed.
    const complete = startIndex === 1 && count > 0 && items.length < count;
    const totalResults = complete ? items.length : await this.source.count(tenantId, criteria);
    const last = items.at(-1);
    if (last && items.length === count) {
      await this.anchors.save(tenantId, queryHash, { startIndex: startIndex + count, afterId: last.id }, this.ttlSeconds);
    }
    return { kind: 'index', items, totalResults, startIndex };
  }

  private async readFrom(tenantId: string, criteria: C | null, queryHash: Buffer, startIndex: number, count: number): Promise<T[]> {
    const anchor = startIndex > 1 ? await this.anchors.nearest(tenantId, queryHash, startIndex) : null;
    const base = anchor ? { id: anchor.afterId, backward: false } : undefined;
    const skip = startIndex - (anchor?.startIndex ?? 1);
    if (skip === 0) return this.source.page(tenantId, criteria, 0, count, base);
    const afterId = await this.source.keyAt(tenantId, criteria, skip - 1, base);
    if (afterId === null) return [];
    await this.anchors.save(tenantId, queryHash, { startIndex, afterId }, this.ttlSeconds);
    return this.source.page(tenantId, criteria, 0, count, { id: afterId, backward: false });
  }

  private async cursorPage(tenantId: string, criteria: C | null, scope: CursorScope, cursor: string, count: number): Promise<KeysetPage<T>> {
    const position = cursor === '' ? null : this.codec.decode(scope, cursor);
    let page = { items: [] as T[], hasNext: false, hasPrevious: false };
    if (count > 0 && position?.direction === 'previous') {
      const rows = await this.source.page(tenantId, criteria, 0, count + 1, { id: position.userId, backward: true });
      page = rows.length > count ? { items: rows.slice(1), hasNext: true, hasPrevious: true } : await this.forward(tenantId, criteria, null, count);
    } else if (count > 0) {
      page = await this.forward(tenantId, criteria, position?.userId ?? null, count);
    }
    const first = page.items[0];
    const last = page.items.at(-1);
    const complete = position === null && count > 0 && !page.hasNext;
    return {
      kind: 'cursor',
      items: page.items,
      totalResults: complete ? page.items.length : await this.source.count(tenantId, criteria),
      ...(page.hasNext && last ? { nextCursor: this.codec.encode(scope, { direction: 'next', userId: last.id }) } : {}),
      ...(page.hasPrevious && first ? { previousCursor: this.codec.encode(scope, { direction: 'previous', userId: first.id }) } : {}),
    };
  }

  private async forward(tenantId: string, criteria: C | null, afterId: string | null, count: number) {
    const rows = await this.source.page(tenantId, criteria, 0, count + 1, afterId ? { id: afterId, backward: false } : undefined);
    const items = rows.slice(0, count);
    let hasPrevious = false;
    const first = items[0];
    if (afterId && first) hasPrevious = (await this.source.page(tenantId, criteria, 0, 1, { id: first.id, backward: true })).length > 0;
    return { items, hasNext: rows.length > count, hasPrevious };
  }
}

/** startIndex / count: integers (RFC 7644 §3.4.2.4); anything else is 400 invalidValue. */
function integerParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[+-]?\d{1,15}$/.test(value.trim())) throw ScimException.invalidValue(`${name} must be an integer`);
  return Number.parseInt(value.trim(), 10);
}

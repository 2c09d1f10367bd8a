import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { KeyRing } from '../../../src/common/crypto/key-ring.js';
import { HousekeepingService } from '../../../src/housekeeping/housekeeping.service.js';
import { scimQueryHash } from '../../../src/scim/scim-users-list.service.js';
import { ScimCursorCodec } from '../../../src/scim/wire/scim-cursor.js';
import { scimFilterToCriteria } from '../../../src/scim/wire/scim-user-filter.js';
import { userKeyAtSql, userSearchSql } from '../../../src/users/user-criteria-sql.js';
import { createScimTenant, LIST_RESPONSE, ScimClient, scimError, USER_SCHEMA, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../../utils/test-app.js';
import { queryDatabase } from '../../utils/test-database.js';

interface ListBody {
  schemas: string[];
  totalResults: number;
  startIndex?: number;
  itemsPerPage: number;
  nextCursor?: string;
  previousCursor?: string;
  Resources: { id: string; userName: string; active: boolean }[];
}

const ids = (res: request.Response) => (res.body as ListBody).Resources.map((r) => r.id);

function expectError(res: request.Response, status: number, scimType: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(res.body).toEqual(scimError(status, scimType));
}

/** Every element once, and nothing else. */
function expectExactlyOnce(seen: string[], expected: string[]) {
  expect(new Set(seen).size).toBe(seen.length);
  expect([...seen].sort()).toEqual([...expected].sort());
}

describe('SCIM /Users paging at depth (page anchors and RFC 9865 cursors)', () => {
  let t: TestApp;
  let f: ScimTenantFixture;
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp();
    f = await createScimTenant(t);
    // 60 SCIM users plus the admin. Groups of three share a creation time, so the order relies on
    // the id to break ties; every fourth group is inactive.
    await queryDatabase(
      t.db,
      `INSERT INTO users (tenant_id, email, given_name, family_name, source, active, created_at, updated_at)
       SELECT $1, 'q' || lpad(i::text, 3, '0') || '@example.com', 'Q', 'N' || i, 'scim', (i / 3) % 4 <> 3,
              now() - interval '1 hour' + make_interval(secs => (i / 3) / 1000.0), now()
         FROM generate_series(0, 59) AS i`,
      [f.tenant.id],
    );
    await backdateAdmin(f.tenant.id);
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * Seeded users get creation times in the past and the admin an older one still, so the admin is
   * first and every user a test adds during a read comes after them, as later users really do.
   */
  const backdateAdmin = (tenantId: string) =>
    queryDatabase(t.db, "UPDATE users SET created_at = now() - interval '2 hours' WHERE tenant_id = $1 AND role = 'system_admin'", [tenantId]);

  /** The tenant's users (matching a SQL condition) in the list order, straight from the database. */
  const ordered = async (tenantId: string, where = 'TRUE') =>
    (await queryDatabase<{ id: string }>(t.db, `SELECT id FROM users u WHERE tenant_id = $1 AND ${where} ORDER BY created_at, id`, [tenantId])).map((r) => r.id);

  async function createUser(scim: ScimClient): Promise<string> {
    counter += 1;
    const res = await scim.post('Users', { schemas: [USER_SCHEMA], userName: `new${counter}.${randomUUID().slice(0, 8)}@example.com`, name: { givenName: 'New', familyName: `N${counter}` } });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  }

  async function setActive(scim: ScimClient, id: string, active: boolean): Promise<void> {
    const res = await scim.patch(`Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active } }] });
    expect(res.status).toBe(200);
  }

  /** Okta's import: startIndex 1, 1 + count, … until a short page; `between` runs after each page. */
  async function readByIndex(scim: ScimClient, query: string, count: number, between: (page: number, seen: string[]) => Promise<void> = async () => {}) {
    const seen: string[] = [];
    for (let page = 0, startIndex = 1; ; page++) {
      const res = await scim.get(`Users?${query}startIndex=${startIndex}&count=${count}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], startIndex });
      seen.push(...ids(res));
      if (ids(res).length < count) return seen;
      startIndex += ids(res).length;
      await between(page, seen);
    }
  }

  /** An RFC 9865 client: an empty cursor, then each nextCursor until there is none. */
  async function readByCursor(scim: ScimClient, query: string, count: number, between: (page: number, seen: string[]) => Promise<void> = async () => {}) {
    const seen: string[] = [];
    const pages: ListBody[] = [];
    let cursor = '';
    for (let page = 0; ; page++) {
      const res = await scim.get(`Users?${query}cursor=${cursor}&count=${count}`);
      expect(res.status).toBe(200);
      const body = res.body as ListBody;
      expect(body.schemas).toEqual([LIST_RESPONSE]);
      expect(body).not.toHaveProperty('startIndex');
      pages.push(body);
      seen.push(...ids(res));
      if (body.nextCursor === undefined) return { seen, pages };
      expect(body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      cursor = body.nextCursor;
      await between(page, seen);
    }
  }

  describe('index-based (startIndex)', () => {
    it('returns every user present for the whole read exactly once, in list order, while users are added and deactivated between pages', async () => {
      const g = await createScimTenant(t);
      await queryDatabase(
        t.db,
        `INSERT INTO users (tenant_id, email, given_name, family_name, source, created_at)
         SELECT $1, 'r' || i || '@example.com', 'R', 'N', 'scim', now() - interval '1 hour' + make_interval(secs => (i / 2) / 1000.0) FROM generate_series(1, 40) AS i`,
        [g.tenant.id],
      );
      await backdateAdmin(g.tenant.id);
      const before = await ordered(g.tenant.id);
      const added: string[] = [];
      const seen = await readByIndex(g.scim, '', 6, async (page, soFar) => {
        added.push(await createUser(g.scim));
        // Inactive users are listed: deactivating one already read or one not yet read changes
        // nothing for the reader (the admin, first, stays active).
        await setActive(g.scim, soFar[page + 1]!, false);
        await setActive(g.scim, before[before.length - 1 - page]!, false);
      });
      const present = before;
      expect(seen.slice(0, present.length)).toEqual(present); // everyone present, once, in order
      expect(seen.slice(present.length)).toEqual(added); // the new users come after, each once
      expectExactlyOnce(seen, [...present, ...added]);
    });

    it('with filter active eq true: deactivating users already read does not make the reader skip anyone (OFFSET would)', async () => {
      const g = await createScimTenant(t);
      await queryDatabase(
        t.db,
        `INSERT INTO users (tenant_id, email, given_name, family_name, source, created_at)
         SELECT $1, 's' || i || '@example.com', 'S', 'N', 'scim', now() - interval '1 hour' + make_interval(secs => i / 1000.0) FROM generate_series(1, 30) AS i`,
        [g.tenant.id],
      );
      await backdateAdmin(g.tenant.id);
      const before = await ordered(g.tenant.id, 'active');
      const deactivatedUnread: string[] = [];
      const seen = await readByIndex(g.scim, `filter=${encodeURIComponent('active eq true')}&`, 5, async (_page, soFar) => {
        // Two users of the pages already read leave the filtered set: with OFFSET the next page
        // would start two users too late. One not yet read leaves too: it is not owed.
        await setActive(g.scim, soFar[soFar.length - 1]!, false);
        await setActive(g.scim, soFar[soFar.length - 2]!, false);
        const unread = before.find((id) => !soFar.includes(id) && !deactivatedUnread.includes(id));
        if (unread) {
          await setActive(g.scim, unread, false);
          deactivatedUnread.push(unread);
        }
        await createUser(g.scim);
      });
      const presentThroughout = before.filter((id) => !deactivatedUnread.includes(id));
      for (const id of presentThroughout) expect(seen.filter((s) => s === id)).toHaveLength(1);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => before.includes(id))).toEqual(before.filter((id) => seen.includes(id))); // list order
    });

    it('keeps page boundaries with a filter: pages tile the filtered list, the last full page is followed by an empty one', async () => {
      const filter = `filter=${encodeURIComponent('active eq true and userName sw "q"')}&`;
      const qActive = await ordered(f.tenant.id, "active AND email LIKE 'q%'");
      expect(qActive).toHaveLength(45);
      const seen = await readByIndex(f.scim, filter, 9, async () => {});
      expect(seen).toEqual(qActive);
      const last = await f.scim.get(`Users?${filter}startIndex=37&count=9`);
      expect(last.body).toMatchObject({ totalResults: 45, startIndex: 37, itemsPerPage: 9 });
      expect(ids(last)).toEqual(qActive.slice(36));
      const after = await f.scim.get(`Users?${filter}startIndex=46&count=9`);
      expect(after.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 45, startIndex: 46, itemsPerPage: 0, Resources: [] });
      const inactive = await f.scim.get(`Users?filter=${encodeURIComponent('active eq false')}&startIndex=4&count=5`);
      expect(ids(inactive)).toEqual((await ordered(f.tenant.id, 'NOT active')).slice(3, 8));
    });

    it('jumps to any startIndex (no anchor) with the same result as reading up to it; past the end is an empty page with the total', async () => {
      const all = await ordered(f.tenant.id);
      expect(all).toHaveLength(61);
      await queryDatabase(t.db, 'DELETE FROM scim_page_anchors WHERE tenant_id = $1', [f.tenant.id]);
      const jump = await f.scim.get('Users?startIndex=29&count=10');
      expect(jump.body).toMatchObject({ totalResults: 61, startIndex: 29, itemsPerPage: 10 });
      expect(ids(jump)).toEqual(all.slice(28, 38));
      // The jump left anchors at 29 (where it started) and 39 (where the next page starts).
      const anchors = await queryDatabase<{ start_index: number; after_id: string }>(
        t.db,
        'SELECT start_index, after_id FROM scim_page_anchors WHERE tenant_id = $1 ORDER BY start_index',
        [f.tenant.id],
      );
      expect(anchors).toEqual([
        { start_index: 29, after_id: all[27] },
        { start_index: 39, after_id: all[37] },
      ]);
      // A jump beyond an anchor skips from the nearest one below.
      expect(ids(await f.scim.get('Users?startIndex=45&count=3'))).toEqual(all.slice(44, 47));
      const last = await f.scim.get('Users?startIndex=58&count=10');
      expect(last.body).toMatchObject({ totalResults: 61, startIndex: 58, itemsPerPage: 4 });
      expect(ids(last)).toEqual(all.slice(57));
      for (const startIndex of [62, 100, 2_147_483_647]) {
        const past = await f.scim.get(`Users?startIndex=${startIndex}&count=10`);
        expect(past.status).toBe(200);
        expect(past.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 61, startIndex, itemsPerPage: 0, Resources: [] });
      }
    });

    it('keeps anchors in PostgreSQL: a reader served alternately by two instances reads everyone once', async () => {
      const second = await startTestApp({}, t.db);
      try {
        const other = new ScimClient(second, f.tenant.slug, f.scim.token);
        const all = await ordered(f.tenant.id);
        const seen: string[] = [];
        for (let startIndex = 1, i = 0; startIndex <= all.length; startIndex += 8, i++) {
          const res = await (i % 2 === 0 ? f.scim : other).get(`Users?startIndex=${startIndex}&count=8`);
          expect(res.status).toBe(200);
          seen.push(...ids(res));
        }
        expect(seen).toEqual(all);
      } finally {
        await second.close();
      }
    });

    it('serves an anchored page by an index range read, and a jump by an index-only skip (no sort) (EXPLAIN)', async () => {
      // Enough rows that the planner's choice is the one it makes for a large tenant.
      const big = await createScimTenant(t);
      await queryDatabase(
        t.db,
        `INSERT INTO users (tenant_id, email, given_name, family_name, source, created_at)
         SELECT $1, 'b' || i || '@example.com', 'B', 'N', 'scim', now() + make_interval(secs => i / 1000.0) FROM generate_series(1, 20000) AS i`,
        [big.tenant.id],
      );
      await queryDatabase(t.db, 'VACUUM ANALYZE users');
      const all = await ordered(big.tenant.id);
      const explain = async (q: { sql: string; params: unknown[] }) =>
        (await queryDatabase<{ 'QUERY PLAN': string }>(t.db, `EXPLAIN ${q.sql}`, q.params)).map((r) => r['QUERY PLAN']).join('\n');

      const page = userSearchSql(big.tenant.id, null, 0, 100, { userId: all[15000]!, backward: false });
      const plan = await explain(page);
      expect(plan).toMatch(/Index Scan using users_tenant_live_order_idx on users u\s/);
      expect(plan).toMatch(/Index Cond: \(\(tenant_id = .*\) AND \(ROW\(created_at, id\) > ROW\(/);
      expect(plan).toMatch(/Index Scan using users_pkey on users k/);
      expect(plan).not.toMatch(/Sort|Seq Scan/);
      const rows = await queryDatabase<{ id: string }>(t.db, page.sql, page.params);
      expect(rows.map((r) => r.id)).toEqual(all.slice(15001, 15101));

      const backward = await explain(userSearchSql(big.tenant.id, null, 0, 101, { userId: all[15000]!, backward: true }));
      expect(backward).toMatch(/Index Scan Backward using users_tenant_live_order_idx on users u\s/);
      expect(backward).not.toMatch(/Sort|Seq Scan/);

      const skip = await explain(userKeyAtSql(big.tenant.id, null, 15000));
      expect(skip).toMatch(/Index Only Scan using users_tenant_live_order_idx on users u\s/);
      expect(skip).not.toMatch(/Sort|Seq Scan/);
    });

    it('ignores expired anchors and purges them', async () => {
      const all = await ordered(f.tenant.id);
      const hash = scimQueryHash(null);
      await queryDatabase(t.db, 'DELETE FROM scim_page_anchors WHERE tenant_id = $1', [f.tenant.id]);
      // Wrong anchors, but expired: they must not be used.
      for (const startIndex of [11, 13]) {
        await queryDatabase(t.db, `INSERT INTO scim_page_anchors VALUES ($1, $2, $3, $4, now() - interval '1 second')`, [f.tenant.id, hash, startIndex, all[50]]);
      }
      expect(ids(await f.scim.get('Users?startIndex=11&count=5'))).toEqual(all.slice(10, 15));
      await t.app.get(HousekeepingService).runOnce();
      const left = await queryDatabase<{ start_index: number; after_id: string; live: boolean }>(
        t.db,
        `SELECT start_index, after_id, expires_at > now() + interval '3590 seconds' AS live FROM scim_page_anchors WHERE tenant_id = $1 ORDER BY start_index`,
        [f.tenant.id],
      );
      expect(left).toEqual([
        { start_index: 11, after_id: all[9], live: true }, // rewritten by the page, with a fresh hour
        { start_index: 16, after_id: all[14], live: true },
      ]);
    });

    it('writes no anchor for a last page (a lookup by userName, a short page)', async () => {
      await queryDatabase(t.db, 'DELETE FROM scim_page_anchors WHERE tenant_id = $1', [f.tenant.id]);
      const res = await f.scim.get(`Users?filter=${encodeURIComponent('userName eq "q007@example.com"')}`);
      expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
      await f.scim.get('Users?startIndex=1&count=62');
      await f.scim.get('Users?startIndex=1&count=0');
      const anchors = await queryDatabase(t.db, 'SELECT 1 FROM scim_page_anchors WHERE tenant_id = $1', [f.tenant.id]);
      expect(anchors).toHaveLength(0);
    });
  });

  describe('cursor-based (RFC 9865)', () => {
    it('returns every user present for the whole read exactly once, in list order, while users are added and deactivated between pages', async () => {
      const g = await createScimTenant(t);
      await queryDatabase(
        t.db,
        `INSERT INTO users (tenant_id, email, given_name, family_name, source, created_at)
         SELECT $1, 'c' || i || '@example.com', 'C', 'N', 'scim', now() - interval '1 hour' + make_interval(secs => (i / 3) / 1000.0) FROM generate_series(1, 40) AS i`,
        [g.tenant.id],
      );
      await backdateAdmin(g.tenant.id);
      const before = await ordered(g.tenant.id);
      const added: string[] = [];
      const { seen, pages } = await readByCursor(g.scim, '', 7, async (page, soFar) => {
        added.push(await createUser(g.scim));
        await setActive(g.scim, soFar[page + 1]!, false);
        await setActive(g.scim, before[before.length - 1 - page]!, false);
      });
      expect(seen.slice(0, before.length)).toEqual(before);
      expect(seen.slice(before.length)).toEqual(added);
      expectExactlyOnce(seen, [...before, ...added]);
      expect(pages[0]).not.toHaveProperty('previousCursor'); // RFC 9865: never on the first page
      for (const page of pages.slice(1)) expect(page.previousCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(pages.at(-1)).not.toHaveProperty('nextCursor');
    });

    it('answers the RFC 9865 shape: totalResults, itemsPerPage, nextCursor while more follow; none on the last page, even when it is full', async () => {
      const filter = `filter=${encodeURIComponent('active eq true and userName sw "q"')}&`;
      const expected = await ordered(f.tenant.id, "active AND email LIKE 'q%'");
      const { seen, pages } = await readByCursor(f.scim, filter, 9);
      expect(seen).toEqual(expected);
      expect(pages).toHaveLength(5); // 45 = 5 x 9: the fifth page is full and the last
      expect(Object.keys(pages[0]!).sort()).toEqual(['Resources', 'itemsPerPage', 'nextCursor', 'schemas', 'totalResults']);
      expect(pages[0]).toMatchObject({ totalResults: 45, itemsPerPage: 9 });
      expect(Object.keys(pages[4]!).sort()).toEqual(['Resources', 'itemsPerPage', 'previousCursor', 'schemas', 'totalResults']);
      const bare = await f.scim.get(`Users?${filter}cursor&count=9`); // the RFC's example sends a bare "cursor"
      expect(ids(bare)).toEqual(expected.slice(0, 9));
      const none = await f.scim.get(`Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}&cursor=`);
      expect(none.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, itemsPerPage: 0, Resources: [] });
      const zero = await f.scim.get('Users?cursor=&count=0');
      expect(zero.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 61, itemsPerPage: 0, Resources: [] });
      const capped = await f.scim.get('Users?cursor=&count=1000');
      expect(capped.body).toMatchObject({ totalResults: 61, itemsPerPage: 61 });
      expect(capped.body).not.toHaveProperty('nextCursor');
    });

    it('goes back with previousCursor: the page before, and the first page again (without previousCursor) at the start', async () => {
      const all = await ordered(f.tenant.id);
      const p1 = await f.scim.get('Users?cursor=&count=10');
      const p2 = await f.scim.get(`Users?cursor=${(p1.body as ListBody).nextCursor}&count=10`);
      const p3 = await f.scim.get(`Users?cursor=${(p2.body as ListBody).nextCursor}&count=10`);
      expect(ids(p3)).toEqual(all.slice(20, 30));
      const back2 = await f.scim.get(`Users?cursor=${(p3.body as ListBody).previousCursor}&count=10`);
      expect(ids(back2)).toEqual(all.slice(10, 20));
      expect((back2.body as ListBody).nextCursor).toEqual(expect.any(String));
      expect((back2.body as ListBody).previousCursor).toEqual(expect.any(String));
      const forward3 = await f.scim.get(`Users?cursor=${(back2.body as ListBody).nextCursor}&count=10`);
      expect(ids(forward3)).toEqual(all.slice(20, 30));
      const back1 = await f.scim.get(`Users?cursor=${(back2.body as ListBody).previousCursor}&count=10`);
      expect(ids(back1)).toEqual(all.slice(0, 10));
      expect(back1.body).not.toHaveProperty('previousCursor');
      // Going back from an uneven position at the start returns the first page in full.
      const p2of7 = await f.scim.get(`Users?cursor=${(await f.scim.get('Users?cursor=&count=7')).body.nextCursor as string}&count=7`);
      const start = await f.scim.get(`Users?cursor=${(p2of7.body as ListBody).previousCursor}&count=10`);
      expect(ids(start)).toEqual(all.slice(0, 10));
      expect(start.body).not.toHaveProperty('previousCursor');
    });

    it('answers 400 invalidCursor for a tampered cursor, one of another filter and one of another tenant', async () => {
      const p1 = await f.scim.get('Users?cursor=&count=5');
      const cursor = (p1.body as ListBody).nextCursor!;
      const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
      expectError(await f.scim.get(`Users?cursor=${flipped}&count=5`), 400, 'invalidCursor');
      expectError(await f.scim.get(`Users?cursor=not-a-cursor&count=5`), 400, 'invalidCursor');
      expectError(await f.scim.get(`Users?cursor=${cursor}&count=5&filter=${encodeURIComponent('active eq true')}`), 400, 'invalidCursor');
      const g = await createScimTenant(t);
      expectError(await g.scim.get(`Users?cursor=${cursor}&count=5`), 400, 'invalidCursor');
      expectError(await f.scim.get(`Users?cursor=${cursor}&cursor=${cursor}`), 400, 'invalidCursor');
      // The genuine cursor still works, with any count.
      const p2 = await f.scim.get(`Users?cursor=${cursor}&count=3`);
      expect(p2.status).toBe(200);
      expect(ids(p2)).toEqual((await ordered(f.tenant.id)).slice(5, 8));
    });

    it('answers 400 expiredCursor for a genuine cursor older than cursorTimeout', async () => {
      const all = await ordered(f.tenant.id);
      const scope = { tenantId: f.tenant.id, queryHash: scimQueryHash(null) };
      const key = t.app.get(KeyRing).key('scim-cursor');
      const codec = new ScimCursorCodec(key, 3600);
      const fresh = codec.encode(scope, { direction: 'next', userId: all[4]! }, Date.now() - 3500 * 1000);
      expect(ids(await f.scim.get(`Users?cursor=${fresh}&count=2`))).toEqual(all.slice(5, 7));
      const stale = codec.encode(scope, { direction: 'next', userId: all[4]! }, Date.now() - 3601 * 1000);
      expectError(await f.scim.get(`Users?cursor=${stale}&count=2`), 400, 'expiredCursor');
    });

    it('takes cursorTimeout from SCIM_CURSOR_TIMEOUT_SECONDS and advertises it', async () => {
      const short = await startTestApp({ SCIM_CURSOR_TIMEOUT_SECONDS: '1' }, t.db);
      try {
        const client = new ScimClient(short, f.tenant.slug, f.scim.token);
        const spc = await client.get('ServiceProviderConfig');
        expect(spc.body.pagination).toEqual({ cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: 200, cursorTimeout: 1 });
        const p1 = await client.get('Users?cursor=&count=5');
        const cursor = (p1.body as ListBody).nextCursor!;
        await new Promise((resolve) => setTimeout(resolve, 2100));
        expectError(await client.get(`Users?cursor=${cursor}&count=5`), 400, 'expiredCursor');
      } finally {
        await short.close();
      }
    });

    it('answers 400 invalidValue when a request carries both startIndex and cursor', async () => {
      const p1 = await f.scim.get('Users?cursor=&count=5');
      for (const query of ['startIndex=1&cursor=', `startIndex=6&cursor=${(p1.body as ListBody).nextCursor}`, 'cursor&startIndex=1']) {
        const res = await f.scim.get(`Users?${query}`);
        expectError(res, 400, 'invalidValue');
        expect(res.body.detail).toMatch(/startIndex.*cursor/);
      }
    });
  });

  it('filters with criteria built by the SCIM filter parser hash the same however the client spells them', () => {
    expect(scimQueryHash(scimFilterToCriteria('userName eq "A@B.C"'))).toEqual(scimQueryHash(scimFilterToCriteria('UserName EQ "A@B.C"')));
    expect(scimQueryHash(null)).not.toEqual(scimQueryHash(scimFilterToCriteria('active eq true')));
  });
});

describe('SCIM list totals', () => {
  const insertUsers = (t: TestApp, tenantId: string, prefix: string, n: number) =>
    queryDatabase(
      t.db,
      `INSERT INTO users (tenant_id, email, given_name, family_name, source)
       SELECT $1, $2 || i || '@example.com', 'T', 'N' || i, 'scim' FROM generate_series(1, $3) AS i`,
      [tenantId, prefix, n],
    );

  const newUser = (prefix: string) => ({ schemas: [USER_SCHEMA], userName: `${prefix}.${randomUUID().slice(0, 8)}@example.com`, name: { givenName: 'T', familyName: prefix } });

  it('is exact right after a create, a removal or a change a filter reads; a count is reused only while nothing changed', async () => {
    const t = await startTestApp();
    try {
      const f = await createScimTenant(t);
      const created: string[] = [];
      for (let i = 0; i < 4; i++) created.push(((await f.scim.post('Users', newUser('tot'))).body as { id: string }).id);
      // Not a complete first page: these are answered by a count.
      const total = async (query = '') => ((await f.scim.get(`Users?${query}startIndex=2&count=2`)).body as ListBody).totalResults;
      const cursorTotal = async () => ((await f.scim.get('Users?cursor=&count=2')).body as ListBody).totalResults;
      expect(await total()).toBe(5);

      const late = await f.scim.post('Users', newUser('late'));
      expect(late.status).toBe(201);
      expect(await total()).toBe(6); // created a moment before: counted
      expect(await cursorTotal()).toBe(6);
      expect((await f.scim.delete(`Users/${(late.body as { id: string }).id}`)).status).toBe(204);
      expect(await total()).toBe(5); // removed a moment before: not counted
      expect(await cursorTotal()).toBe(5);

      const active = `filter=${encodeURIComponent('active eq true')}&`;
      expect(await total(active)).toBe(5);
      const off = await f.scim.patch(`Users/${created[0]}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(off.status).toBe(200);
      expect(await total(active)).toBe(4);
      expect(await total()).toBe(5);

      // Reused while unchanged: a row written behind the users module's back (no list version bump)
      // is not counted, until the next write through it.
      await insertUsers(t, f.tenant.id, 'behind', 1);
      expect(await total()).toBe(5);
      const kept = await queryDatabase(
        t.db,
        `SELECT t.total, t.users_version = v.members AS current FROM scim_list_totals t JOIN user_list_versions v USING (tenant_id)
          WHERE t.tenant_id = $1 AND t.query_hash = $2`,
        [f.tenant.id, scimQueryHash(null)],
      );
      expect(kept).toEqual([{ total: 5, current: true }]);
      expect((await f.scim.post('Users', newUser('next'))).status).toBe(201);
      expect(await total()).toBe(7);
    } finally {
      await t.close();
    }
  });

  it('a client that pages while startIndex <= totalResults sees every user, users created between its pages included', async () => {
    const t = await startTestApp();
    try {
      const f = await createScimTenant(t);
      await insertUsers(t, f.tenant.id, 'seed', 24); // 25 with the admin
      const seen: string[] = [];
      for (let startIndex = 1, totalResults = 1; startIndex <= totalResults; startIndex += 10) {
        if (startIndex > 1) {
          // The identity provider's other workers create users while this one pages.
          const made = await Promise.all([1, 2, 3].map(() => f.scim.post('Users', newUser('paged'))));
          expect(made.map((r) => r.status)).toEqual([201, 201, 201]);
        }
        const res = await f.scim.get(`Users?startIndex=${startIndex}&count=10`);
        expect(res.status).toBe(200);
        seen.push(...ids(res));
        totalResults = (res.body as ListBody).totalResults;
      }
      // Pages at 1 (25 users), 11 (28), 21 (31), 31 (34); a total counted once and kept would stop at 21.
      const all = await queryDatabase<{ id: string }>(t.db, 'SELECT id FROM users WHERE tenant_id = $1 ORDER BY created_at, id', [f.tenant.id]);
      expect(all).toHaveLength(34);
      expectExactlyOnce(seen, all.map((r) => r.id));
    } finally {
      await t.close();
    }
  });

  it('count on every page when the cache is off', async () => {
    const t = await startTestApp({ SCIM_LIST_TOTAL_CACHE_SECONDS: '0' });
    try {
      const f = await createScimTenant(t);
      await insertUsers(t, f.tenant.id, 'nocache', 4);
      expect(((await f.scim.get('Users?startIndex=2&count=2')).body as ListBody).totalResults).toBe(5);
      await insertUsers(t, f.tenant.id, 'nocache-late', 1);
      expect(((await f.scim.get('Users?startIndex=2&count=2')).body as ListBody).totalResults).toBe(6);
      expect(await queryDatabase(t.db, 'SELECT 1 FROM scim_list_totals')).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { scimFilterToCriteria } from '../../../src/scim/wire/scim-user-filter.js';
import { emailKey, emailKeySql } from '../../../src/users/email-key.js';
import { userSearchSql } from '../../../src/users/user-criteria-sql.js';
import { expectRefused } from '../../factories/saml.factory.js';
import { createUser, login, signIn } from '../../factories/session.factory.js';
import { createSamlScimTenant, createScimTenant, LIST_RESPONSE, PATCH_OP, scimError, USER_SCHEMA, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';
import { queryDatabase } from '../../utils/test-database.js';

const SCIM_JSON = /^application\/scim\+json/;

interface ScimUserJson {
  id: string;
  userName: string;
  externalId?: string;
  name: { givenName: string; familyName: string };
  displayName: string;
  active: boolean;
  emails: { value: string; type: string; primary: boolean }[];
  meta: { resourceType: string; created: string; lastModified: string; location: string; version: string };
}

let counter = 0;
function newUser(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return { schemas: [USER_SCHEMA], userName: `user${counter}.${randomUUID().slice(0, 8)}@example.com`, name: { givenName: `Given${counter}`, familyName: `Family${counter}` }, ...overrides };
}

function expectError(res: request.Response, status: number, scimType?: string, detail?: unknown) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(SCIM_JSON);
  expect(res.body).toEqual(scimError(status, scimType, detail));
}

describe('SCIM /Users', () => {
  let t: TestApp;
  let f: ScimTenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    f = await createScimTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function create(overrides: Record<string, unknown> = {}): Promise<ScimUserJson> {
    const res = await f.scim.post('Users', newUser(overrides));
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
    return res.body as ScimUserJson;
  }
  const fetchUser = async (id: string) => (await f.scim.get(`Users/${id}`)).body as ScimUserJson;
  const filter = (expr: string) => f.scim.get(`Users?filter=${encodeURIComponent(expr)}`);
  const scimAudit = async () =>
    (await f.admin.get('audit?kind=scim&limit=200')).body.items as { action: string; actor: string; target: string; outcome: string; reason: string | null; kind: string }[];

  describe('POST /Users', () => {
    it('audits a refused create with its reason, and a successful one', async () => {
      const first = await create();
      const dup = await f.scim.post('Users', newUser({ userName: first.userName.toUpperCase() }));
      expect(dup.status).toBe(409);
      const events = await scimAudit();
      expect(events[0]).toMatchObject({ kind: 'scim', action: 'user.create', target: first.userName.toUpperCase(), outcome: 'failure', reason: expect.stringContaining('uniqueness') });
      expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.create', target: first.userName, outcome: 'success' })]));
    });

    it('creates an active user (source scim, no licenses, role user) and answers 201 with Location and ETag', async () => {
      const body = newUser({ externalId: 'ext-create', active: false, displayName: 'Shown As Sent', emails: [{ value: 'other@example.com', type: 'home' }] });
      const res = await f.scim.post('Users', body);
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      const user = res.body as ScimUserJson;
      expect(user).toEqual({
        schemas: [USER_SCHEMA],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        externalId: 'ext-create',
        userName: body.userName,
        name: body.name,
        displayName: 'Shown As Sent',
        active: true,
        emails: [{ value: body.userName, type: 'work', primary: true }],
        meta: {
          resourceType: 'User',
          created: expect.any(String),
          lastModified: expect.any(String),
          location: `${PUBLIC_URL}/scim/v2/${f.tenant.slug}/Users/${user.id}`,
          version: 'W/"1"',
        },
      });
      expect(res.headers.location).toBe(user.meta.location);
      expect(res.headers.etag).toBe('W/"1"');
      const admin = await f.admin.get(`users/${user.id}`);
      expect(admin.body).toMatchObject({ email: body.userName, active: true, source: 'scim', role: 'user', licenses: [], scimRemoved: false });
    });

    it('answers 400 invalidValue when userName is not an email address, and creates nothing', async () => {
      for (const userName of ['not-an-email', 'a@b', '', '   ', 'two@@example.com']) {
        const res = await f.scim.post('Users', newUser({ userName }));
        expectError(res, 400, 'invalidValue', expect.stringMatching(/userName/));
      }
      expectError(await f.scim.post('Users', { name: { givenName: 'No', familyName: 'UserName' } }), 400, 'invalidValue', 'userName is required');
      const rows = await queryDatabase(t.db, "SELECT 1 FROM users WHERE email IN ('not-an-email', 'a@b')");
      expect(rows).toHaveLength(0);
    });

    it('answers 400 invalidValue when name.givenName or name.familyName is missing or empty', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ name: undefined }, /name\.givenName and name\.familyName are required/],
        [{ name: { familyName: 'F' } }, /name\.givenName is required/],
        [{ name: { givenName: 'G' } }, /name\.familyName is required/],
        [{ name: { givenName: '', familyName: 'F' } }, /name\.givenName/],
        [{ name: { givenName: 'G', familyName: '   ' } }, /name\.familyName/],
      ];
      for (const [override, detail] of cases) {
        const body = newUser(override);
        const res = await f.scim.post('Users', body);
        expectError(res, 400, 'invalidValue', expect.stringMatching(detail));
        expect((await filter(`userName eq "${body.userName}"`)).body.totalResults).toBe(0);
      }
    });

    it('answers 409 uniqueness when the userName exists in any case, active or not, manual or SCIM', async () => {
      const existing = await create();
      const upper = existing.userName.toUpperCase();
      expectError(await f.scim.post('Users', newUser({ userName: upper })), 409, 'uniqueness', expect.stringContaining(upper));

      expect((await f.scim.patch(`Users/${existing.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] })).body.active).toBe(false);
      expectError(await f.scim.post('Users', newUser({ userName: existing.userName })), 409, 'uniqueness');
      expect((await fetchUser(existing.id)).active).toBe(false);

      const manual = await createUser(f.admin, { email: `Manual.${randomUUID().slice(0, 6)}@Example.com` });
      expectError(await f.scim.post('Users', newUser({ userName: manual.email.toLowerCase() })), 409, 'uniqueness');
    });

    it('20 concurrent POSTs of one userName give one 201 and nineteen 409, never a 500', async () => {
      const body = newUser();
      const responses = await Promise.all(Array.from({ length: 20 }, () => f.scim.post('Users', body)));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
      for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual(scimError(409, 'uniqueness'));
      const rows = await queryDatabase(t.db, `SELECT id FROM users WHERE tenant_id = $1 AND ${emailKeySql('email')} = $2`, [f.tenant.id, emailKey(body.userName)]);
      expect(rows).toHaveLength(1);
    });

    it('answers 4xx (never 500) to hostile bodies: wrong types, nulls, 1 MB strings, deep nesting, non-objects', async () => {
      const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
      const ok = newUser();
      const cases: [unknown, number, string][] = [
        [[ok], 400, 'invalidSyntax'],
        ['"just a string"', 400, 'invalidSyntax'],
        ['42', 400, 'invalidSyntax'],
        ['null', 400, 'invalidSyntax'],
        [{ ...ok, userName: 42 }, 400, 'invalidValue'],
        [{ ...ok, userName: null }, 400, 'invalidValue'],
        [{ ...ok, userName: [ok.userName] }, 400, 'invalidValue'],
        [{ ...ok, userName: { $gt: '' } }, 400, 'invalidValue'],
        [{ ...ok, userName: `${'x'.repeat(1_000_000)}@example.com` }, 400, 'invalidValue'],
        [{ ...ok, userName: 'nul\u0000@example.com' }, 400, 'invalidValue'],
        [{ ...ok, name: null }, 400, 'invalidValue'],
        [{ ...ok, name: 'Joy Young' }, 400, 'invalidValue'],
        [{ ...ok, name: [ok.name] }, 400, 'invalidValue'],
        [{ ...ok, name: { givenName: 1, familyName: 2 } }, 400, 'invalidValue'],
        [{ ...ok, name: { givenName: null, familyName: 'F' } }, 400, 'invalidValue'],
        [{ ...ok, name: { givenName: 'x'.repeat(1_000_000), familyName: 'F' } }, 400, 'invalidValue'],
        [{ ...ok, name: { givenName: 'x'.repeat(201), familyName: 'F' } }, 400, 'invalidValue'],
        [{ ...ok, name: { givenName: 'G\u0000', familyName: 'F' } }, 400, 'invalidValue'],
        [{ ...ok, externalId: 42 }, 400, 'invalidValue'],
        [{ ...ok, externalId: 'e'.repeat(256) }, 400, 'invalidValue'],
        [{ ...ok, active: 'maybe' }, 400, 'invalidValue'],
        [`{"userName":"${ok.userName}","name":{"givenName":"G","familyName":"F"},"x":${deep(100_000)}}`, 400, 'invalidSyntax'],
        [`{"userName":"${ok.userName}","name":{"givenName":${deep(50)},"familyName":"F"}}`, 400, 'invalidSyntax'],
      ];
      for (const [body, status, scimType] of cases) {
        const res = await f.scim.post('Users', body);
        expect({ body: typeof body === 'string' ? body.slice(0, 60) : JSON.stringify(body).slice(0, 60), status: res.status }).toEqual({
          body: expect.any(String),
          status,
        });
        expect(res.body).toEqual(scimError(status, scimType));
      }
      expect((await filter(`userName eq "${ok.userName}"`)).body.totalResults).toBe(0);
    });

    it('ignores nulls for optional attributes, unknown attributes and unknown schema URNs (Entra "Example 2")', async () => {
      const res = await f.scim.post('Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
        externalId: 'jyoung',
        userName: `jyoung.${randomUUID().slice(0, 6)}@testuser.com`,
        active: true,
        addresses: null,
        displayName: 'Joy Young',
        emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
        meta: { resourceType: 'User' },
        name: { familyName: 'Young', givenName: 'Joy' },
        phoneNumbers: null,
        preferredLanguage: null,
        title: null,
        department: null,
        manager: null,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ externalId: 'jyoung', name: { givenName: 'Joy', familyName: 'Young' }, displayName: 'Joy Young' });
      expect(res.body.emails).toEqual([{ value: res.body.userName, type: 'work', primary: true }]);
    });
  });

  describe('GET /Users/{id}', () => {
    it('returns the user, active or not, with an ETag equal to meta.version', async () => {
      const user = await create();
      const res = await f.scim.get(`Users/${user.id}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.headers.etag).toBe(res.body.meta.version);
      expect(res.body).toEqual(user);
      await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
      const inactive = await f.scim.get(`Users/${user.id}`);
      expect(inactive.status).toBe(200);
      expect(inactive.body.active).toBe(false);
    });

    it('answers 404 for an unknown or malformed id, never 500', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '1', "x' OR '1'='1", '%00', 'x'.repeat(99), '00000000-0000-0000-0000-00000000000g']) {
        const res = await f.scim.get(`Users/${encodeURIComponent(id)}`);
        expectError(res, 404);
      }
      // Past the router's parameter length limit: 414, still an RFC 7644 error.
      expectError(await f.scim.get(`Users/${'x'.repeat(300)}`), 414);
      for (const [method, body] of [
        ['PUT', newUser()],
        ['PATCH', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }],
        ['DELETE', undefined],
      ] as const) {
        expectError(await f.scim.send(method, `Users/${randomUUID()}`, body), 404);
        expectError(await f.scim.send(method, 'Users/not-a-uuid', body), 404);
      }
    });

    it("does not show another tenant's user", async () => {
      const other = await createScimTenant(t);
      const theirs = (await other.scim.post('Users', newUser())).body as ScimUserJson;
      expectError(await f.scim.get(`Users/${theirs.id}`), 404);
      expectError(await f.scim.patch(`Users/${theirs.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }), 404);
      expect((await f.scim.get(`Users?filter=${encodeURIComponent(`userName eq "${theirs.userName}"`)}`)).body.totalResults).toBe(0);
      expect((await other.scim.get(`Users/${theirs.id}`)).body.active).toBe(true);
    });
  });

  describe('GET /Users (list and filter)', () => {
    let paging: ScimTenantFixture;
    beforeAll(async () => {
      paging = await createScimTenant(t);
      // 209 SCIM users plus the admin: 210, created one millisecond apart (stable order).
      await queryDatabase(
        t.db,
        `INSERT INTO users (tenant_id, email, given_name, family_name, source, active, created_at, updated_at)
         SELECT $1, 'p' || lpad(i::text, 3, '0') || '@example.com', 'P', 'N' || i, 'scim', i % 3 <> 0,
                now() + make_interval(secs => i / 1000.0), now()
           FROM generate_series(1, 209) AS i`,
        [paging.tenant.id],
      );
    });

    it('pages with startIndex (1-based) and count, in a stable order, with numeric members', async () => {
      const first = await paging.scim.get('Users?startIndex=1&count=5');
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(SCIM_JSON);
      expect(first.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 210, startIndex: 1, itemsPerPage: 5 });
      expect((first.body.Resources as ScimUserJson[]).map((u) => u.userName)).toEqual([
        paging.tenant.admin.email,
        'p001@example.com',
        'p002@example.com',
        'p003@example.com',
        'p004@example.com',
      ]);
      const next = await paging.scim.get('Users?startIndex=6&count=5');
      expect((next.body.Resources as ScimUserJson[]).map((u) => u.userName)).toEqual(['p005@example.com', 'p006@example.com', 'p007@example.com', 'p008@example.com', 'p009@example.com']);
      expect(next.body).toMatchObject({ totalResults: 210, startIndex: 6, itemsPerPage: 5 });
      expect((first.body.Resources as ScimUserJson[])[3]!.active).toBe(false); // inactive users are listed too
    });

    it('defaults count to 100, caps it at 200 (ServiceProviderConfig filter.maxResults), reads startIndex < 1 as 1 and count < 0 as 0', async () => {
      const defaults = await paging.scim.get('Users');
      expect(defaults.body).toMatchObject({ totalResults: 210, startIndex: 1, itemsPerPage: 100 });
      const capped = await paging.scim.get('Users?count=100000');
      expect(capped.body).toMatchObject({ totalResults: 210, itemsPerPage: 200 });
      const spc = await paging.scim.get('ServiceProviderConfig');
      expect(spc.body.filter.maxResults).toBe(200);
      const low = await paging.scim.get('Users?startIndex=-4&count=2');
      expect(low.body).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
      expect(low.body.Resources[0].userName).toBe(paging.tenant.admin.email);
      const zero = await paging.scim.get('Users?startIndex=0&count=-1');
      expect(zero.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 210, startIndex: 1, itemsPerPage: 0, Resources: [] });
      const past = await paging.scim.get('Users?startIndex=500&count=10');
      expect(past.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 210, startIndex: 500, itemsPerPage: 0, Resources: [] });
      const last = await paging.scim.get('Users?startIndex=201&count=200');
      expect(last.body).toMatchObject({ totalResults: 210, startIndex: 201, itemsPerPage: 10 });
    });

    it('answers 400 invalidValue for a non-integer startIndex or count', async () => {
      expectError(await paging.scim.get('Users?count=ten'), 400, 'invalidValue', 'count must be an integer');
      expectError(await paging.scim.get('Users?startIndex=1.5'), 400, 'invalidValue', 'startIndex must be an integer');
    });

    it("ignores query parameters it does not know (Entra's aadOptscim062020, attributes)", async () => {
      const res = await paging.scim.get('Users?aadOptscim062020&attributes=userName&excludedAttributes=groups&count=1');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 210, itemsPerPage: 1 });
    });

    it('filters userName eq case-insensitively, however the client encodes it', async () => {
      const user = await create();
      const mixed = user.userName.replace(/^u/, 'U').replace('example', 'EXAMPLE');
      for (const query of [
        `filter=userName+eq+%22${encodeURIComponent(mixed)}%22`, // Entra provisioning service (form encoding)
        `filter=userName%20eq%20%22${encodeURIComponent(mixed)}%22&startIndex=1&count=100`, // Okta
        `filter=${encodeURIComponent(`userName eq "${mixed}"`)}`,
        `filter=${encodeURIComponent(`UserName EQ "${mixed}"`)}`,
      ]) {
        const res = await f.scim.get(`Users?${query}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [user] });
      }
    });

    it('filters on externalId (case-exact), id, emails, active, names, dates, with and/or/not and parentheses', async () => {
      const tag = randomUUID().slice(0, 8);
      const u1 = await create({ externalId: `X-${tag}`, name: { givenName: `Alpha${tag}`, familyName: 'Smith' } });
      const u2 = await create({ externalId: `Y-${tag}`, name: { givenName: `Beta${tag}`, familyName: 'Smith' } });
      await f.scim.patch(`Users/${u2.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
      const ids = async (expr: string) => {
        const res = await filter(expr);
        expect(res.status).toBe(200);
        return ((res.body.Resources ?? []) as ScimUserJson[]).map((u) => u.id).sort();
      };
      const both = [u1.id, u2.id].sort();
      expect(await ids(`externalId eq "X-${tag}"`)).toEqual([u1.id]);
      expect(await ids(`externalId eq "x-${tag}"`)).toEqual([]);
      expect(await ids(`id eq "${u2.id}"`)).toEqual([u2.id]);
      expect(await ids(`id eq "${u2.id.toUpperCase()}"`)).toEqual([u2.id]);
      expect(await ids('id eq "not-a-uuid"')).toEqual([]);
      expect(await ids(`emails[type eq "work"].value eq "${u1.userName.toUpperCase()}"`)).toEqual([u1.id]);
      expect(await ids(`emails[type eq "home"].value eq "${u1.userName}"`)).toEqual([]);
      expect(await ids(`emails.value eq "${u1.userName}"`)).toEqual([u1.id]);
      expect(await ids(`userName eq "${u1.userName}" and externalId eq "X-${tag}"`)).toEqual([u1.id]);
      expect(await ids(`userName eq "${u1.userName}" and externalId eq "Y-${tag}"`)).toEqual([]);
      expect(await ids(`name.givenName sw "alpha${tag}" or name.givenName sw "BETA${tag}"`)).toEqual(both);
      expect(await ids(`(name.givenName co "${tag}") and active eq false`)).toEqual([u2.id]);
      expect(await ids(`name.givenName co "${tag}" and not (active eq false)`)).toEqual([u1.id]);
      expect(await ids(`name.givenName ew "${tag}" and name.familyName eq "smith" and externalId pr`)).toEqual(both);
      expect(await ids(`displayName eq "Alpha${tag} Smith"`)).toEqual([u1.id]);
      expect(await ids(`name.givenName co "${tag}" and meta.created gt "2000-01-01T00:00:00Z" and meta.lastModified le "2999-01-01T00:00:00Z"`)).toEqual(both);
      expect(await ids(`name.givenName co "${tag}" and meta.created lt "2000-01-01"`)).toEqual([]);
      expect(await ids(`name.givenName co "${tag}" and externalId ne "X-${tag}"`)).toEqual([u2.id]);
      expect(await ids(`userName eq "${u1.userName}" and emails[type eq "work" and primary eq true]`)).toEqual([u1.id]);
      expect(await ids(`name.givenName co "%" or name.givenName co "_"`)).toEqual([]); // LIKE wildcards are literal
    });

    it('decodes the SCIM Validator form (fully percent-encoded value path)', async () => {
      const user = await create();
      const res = await f.scim.get(`Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22${encodeURIComponent(user.userName)}%22`);
      expect(res.status).toBe(200);
      expect(res.body.Resources).toEqual([user]);
    });

    it('answers 400 invalidFilter (never 500) for unsupported attributes, operators and malformed filters', async () => {
      for (const expr of [
        'nickName eq "x"',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"',
        'name.formatted eq "x"',
        'userName regex "x"',
        'externalId eq jyoung',
        'userName eq "a" and',
        'active gt true',
        'meta.created gt "tomorrow"',
        'userName eq 1',
        '(((((((((((((((((((((((((((((((((((userName pr)))))))))))))))))))))))))))))))))',
        'userName eq "\\u0000"',
        '',
      ]) {
        const res = await filter(expr);
        expectError(res, 400, 'invalidFilter');
      }
      expectError(await f.scim.get('Users?filter=userName%20eq%20%22a%22&filter=userName%20eq%20%22b%22'), 400, 'invalidFilter');
    });

    it('answers 400 invalidFilter naming the limit for a filter of more than 20 comparisons (fuzz seed 20261130: 1–8 s each), and still answers 20', async () => {
      const terms = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
      for (const expr of [terms(21), `not (${terms(21)})`]) {
        expectError(await filter(expr), 400, 'invalidFilter', expect.stringMatching(/^Filter has more than 20 comparisons \(found "userName" at position \d+\)/));
      }
      const twenty = await filter(terms(20));
      expect(twenty.status).toBe(200);
      expect(twenty.body).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('serves userName eq from the unique index on (tenant_id, email key) (EXPLAIN)', async () => {
      await queryDatabase(t.db, 'ANALYZE users');
      const { sql, params } = userSearchSql(paging.tenant.id, scimFilterToCriteria('userName eq "P017@EXAMPLE.COM"'), 0, 100);
      // A few hundred rows fit in three pages, which the planner may rightly read whole: sequential
      // scans off, the plan shows which index serves the lookup (as it does at a million users).
      const noSeqScan = { ...t.db, url: `${t.db.url}?options=${encodeURIComponent('-c enable_seqscan=off')}` };
      const plan = await queryDatabase<{ 'QUERY PLAN': string }>(noSeqScan, `EXPLAIN ${sql}`, params);
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('users_tenant_email_key');
      expect(text).toContain('translate(');
      expect(text).not.toMatch(/Seq Scan on users/);
      const rows = await queryDatabase<{ email: string }>(t.db, sql, params);
      expect(rows.map((r) => r.email)).toEqual(['p017@example.com']);
    });
  });

  describe('PUT /Users/{id}', () => {
    it('replaces the writable attributes and ignores read-only ones, password and groups (Okta)', async () => {
      const user = await create({ externalId: 'keep-me' });
      const newName = `renamed.${randomUUID().slice(0, 6)}@example.com`;
      const res = await f.scim.put(`Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        id: randomUUID(),
        userName: newName,
        name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
        displayName: 'Not Derived',
        emails: [{ primary: true, value: 'someone@else.com', type: 'work', display: 'x' }],
        active: true,
        password: 'p@ssw0rd-from-okta',
        groups: [{ value: 'g1' }],
        meta: { resourceType: 'User', created: '2000-01-01T00:00:00Z', version: 'W/"99"' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toMatchObject({
        id: user.id,
        userName: newName,
        externalId: 'keep-me',
        name: { givenName: 'Another', familyName: 'User' },
        displayName: 'Not Derived',
        emails: [{ value: newName, type: 'work', primary: true }],
        meta: { created: user.meta.created, version: 'W/"2"' },
      });
      expect(res.headers.etag).toBe('W/"2"');
      const [row] = await queryDatabase<{ password_hash: string | null }>(t.db, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
      expect(row!.password_hash).toBeNull();
    });

    it('deactivates with active false, clears externalId with null, keeps active when left out', async () => {
      const user = await create({ externalId: 'to-clear' });
      const off = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: user.name, active: false, externalId: null });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect(off.body).not.toHaveProperty('externalId');
      const kept = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'Z', familyName: 'Z' } });
      expect(kept.body).toMatchObject({ active: false, name: { givenName: 'Z', familyName: 'Z' } });
      const on = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: user.name, active: 'True' });
      expect(on.body.active).toBe(true);
    });

    it('answers 409 uniqueness when renaming onto a taken userName, and 400 for an invalid body, changing nothing', async () => {
      const a = await create();
      const b = await create();
      expectError(await f.scim.put(`Users/${b.id}`, { userName: a.userName.toUpperCase(), name: b.name }), 409, 'uniqueness');
      expectError(await f.scim.put(`Users/${b.id}`, { userName: 'nope', name: b.name }), 400, 'invalidValue');
      expectError(await f.scim.put(`Users/${b.id}`, { userName: b.userName }), 400, 'invalidValue');
      expectError(await f.scim.put(`Users/${b.id}`, [b]), 400, 'invalidSyntax');
      expect(await fetchUser(b.id)).toEqual(b);
    });
  });

  describe('PATCH /Users/{id}', () => {
    it('applies add/replace/remove with paths, op names in any case, string booleans and nulls', async () => {
      const user = await create({ externalId: 'p-ext' });
      const res = await f.scim.patch(`Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
          { op: 'ADD', path: 'name.familyName', value: 'Pkqf' },
          { op: 'replace', path: 'active', value: 'False' },
          { op: 'Remove', path: 'externalId' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toMatchObject({ name: { givenName: 'Gtfd', familyName: 'Pkqf' }, displayName: 'Gtfd Pkqf', active: false, meta: { version: 'W/"2"' } });
      expect(res.body).not.toHaveProperty('externalId');
      const back = await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'True' }, { op: 'add', path: 'externalId', value: null }] });
      expect(back.body.active).toBe(true);
    });

    it('applies path-less values: {"active":false}, {"name.givenName":…}, {"name":{…}}, URN-prefixed keys', async () => {
      const user = await create();
      const patch = (value: unknown) => f.scim.patch(`Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value }] });
      expect((await patch({ active: false })).body.active).toBe(false);
      expect((await patch({ 'name.givenName': 'A' })).body.name.givenName).toBe('A');
      expect((await patch({ name: { familyName: 'B' } })).body.name).toEqual({ givenName: 'A', familyName: 'B' });
      expect((await patch({ 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName': 'C' })).body.name.givenName).toBe('C');
      expect((await patch({ 'urn:ietf:params:scim:schemas:core:2.0:User': { active: true } })).body.active).toBe(true);
      const newName = `patched.${randomUUID().slice(0, 6)}@example.com`;
      expect((await patch({ userName: newName, externalId: 'E' })).body).toMatchObject({ userName: newName, externalId: 'E', emails: [{ value: newName }] });
    });

    it('ignores read-only targets and attributes the schema lacks, without changing the version', async () => {
      const user = await create();
      const res = await f.scim.patch(`Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'other@example.com' },
          { op: 'Add', path: 'nickName', value: 'Babs' },
          { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: '701984' },
          { op: 'replace', path: 'id', value: randomUUID() },
          { op: 'replace', path: 'meta.version', value: 'W/"1000"' },
          { op: 'replace', value: { title: 'x', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'd' } } },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(user);
    });

    it('answers 400 with the RFC scimType when an operation cannot be applied, and applies none of them', async () => {
      const user = await create();
      const cases: [unknown, string][] = [
        [{ schemas: [PATCH_OP] }, 'invalidSyntax'],
        [{ Operations: [{ op: 'copy', path: 'active', value: true }] }, 'invalidSyntax'],
        [{ Operations: [{ op: 'remove' }] }, 'noTarget'],
        [{ Operations: [{ op: 'replace', path: 'name[givenName eq "x"]', value: 'y' }] }, 'invalidPath'],
        [{ Operations: [{ op: 'replace', path: 'emails[type eq "work"', value: 'y' }] }, 'invalidPath'],
        [{ Operations: [{ op: 'remove', path: 'active' }] }, 'mutability'],
        [{ Operations: [{ op: 'remove', path: 'name.familyName' }] }, 'invalidValue'],
        [{ Operations: [{ op: 'remove', path: 'userName' }] }, 'invalidValue'],
        [{ Operations: [{ op: 'replace', path: 'active', value: 'nope' }] }, 'invalidValue'],
        [{ Operations: [{ op: 'replace', path: 'userName', value: 'not-an-email' }] }, 'invalidValue'],
        [{ Operations: [{ op: 'replace', path: 'name.givenName', value: { deep: [[[1]]] } }] }, 'invalidValue'],
        [{ Operations: [{ op: 'replace', path: 'name.givenName', value: 'x'.repeat(1_000_000) }] }, 'invalidValue'],
        [{ Operations: [{ op: 'replace', path: 'name.givenName', value: 'Changed' }, { op: 'replace', path: 'active', value: null }] }, 'invalidValue'],
      ];
      for (const [body, scimType] of cases) expectError(await f.scim.patch(`Users/${user.id}`, body), 400, scimType);
      expect(await fetchUser(user.id)).toEqual(user);
    });

    it('answers 409 uniqueness when a PATCH renames onto a taken userName', async () => {
      const a = await create();
      const b = await create();
      expectError(await f.scim.patch(`Users/${b.id}`, { Operations: [{ op: 'replace', path: 'userName', value: a.userName }] }), 409, 'uniqueness');
      expect(await fetchUser(b.id)).toEqual(b);
    });
  });

  describe('DELETE /Users/{id}', () => {
    it('will not deactivate the last active System Admin (the tenant would be locked out), but will once another exists', async () => {
      const other = await createScimTenant(t);
      const adminId = other.admin.user.id;
      for (const res of [
        await other.scim.delete(`Users/${adminId}`),
        await other.scim.patch(`Users/${adminId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body).toEqual(scimError(409, undefined, expect.stringContaining('last active System Admin')));
      }
      expect((await other.admin.get('me')).status).toBe(200);
      const second = await other.admin.post('users', { email: 'second-admin@example.com', givenName: 'S', familyName: 'A', role: 'system_admin' });
      expect(second.status).toBe(201);
      expect((await other.scim.delete(`Users/${adminId}`)).status).toBe(204);
      expect((await other.admin.get('me')).status).toBe(401);
    });

    it('answers 204 and keeps the row, inactive and removed by the IdP; a second DELETE is 404', async () => {
      const user = await create();
      const res = await f.scim.delete(`Users/${user.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['content-type']).toBeUndefined();
      expectError(await f.scim.delete(`Users/${user.id}`), 404, undefined, `Resource ${user.id} not found`);
      const [row] = await queryDatabase(t.db, 'SELECT active, version, scim_removed_at IS NOT NULL AS removed FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual({ active: false, version: 2, removed: true });
    });
  });

  describe('removal by the identity provider (DELETE) and the same user brought back (POST)', () => {
    const notFound = (id: string) => scimError(404, undefined, `Resource ${id} not found`);

    it('makes the user gone for SCIM: GET, PUT, PATCH, DELETE answer 404; lists and every filter leave it out', async () => {
      const tag = randomUUID().slice(0, 8);
      const user = await create({ externalId: `gone-${tag}`, name: { givenName: `Gone${tag}`, familyName: 'User' } });
      expect((await f.scim.delete(`Users/${user.id}`)).status).toBe(204);

      for (const res of [
        await f.scim.get(`Users/${user.id}`),
        await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: user.name }),
        await f.scim.patch(`Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] }),
        await f.scim.delete(`Users/${user.id}`),
        await f.scim.delete(`Users/${user.id}`, { 'if-match': '*' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(notFound(user.id));
      }
      for (const expr of [
        `userName eq "${user.userName.toUpperCase()}"`,
        `id eq "${user.id}"`,
        `externalId eq "gone-${tag}"`,
        `emails[type eq "work"].value eq "${user.userName}"`,
        `emails.value eq "${user.userName}"`,
        `name.givenName eq "Gone${tag}"`,
        `displayName co "${tag}"`,
        `active eq false and name.givenName sw "gone${tag}"`,
      ]) {
        const res = await filter(expr);
        expect({ expr, status: res.status, body: res.body }).toEqual({ expr, status: 200, body: { schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] } });
      }
      const all = await f.scim.get('Users?count=200');
      expect((all.body.Resources as ScimUserJson[]).map((u) => u.id)).not.toContain(user.id);
      const cursor = await f.scim.get('Users?cursor=&count=200');
      expect((cursor.body.Resources as ScimUserJson[]).map((u) => u.id)).not.toContain(user.id);
      expect(cursor.body.totalResults).toBe(all.body.totalResults);
    });

    it('keeps the user in the User List (scimRemoved, inactive, licenses kept); admins may edit licenses but not activate it', async () => {
      const user = await create();
      expect((await f.admin.patch(`users/${user.id}`, { licenses: ['crm'] })).status).toBe(200);
      expect((await f.scim.delete(`Users/${user.id}`)).status).toBe(204);

      const view = await f.admin.get(`users/${user.id}`);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ id: user.id, email: user.userName, active: false, licenses: ['crm'], source: 'scim', scimRemoved: true });
      const list = await f.admin.get(`users?search=${encodeURIComponent(user.userName)}`);
      expect(list.body.items).toEqual([view.body]);

      const licensed = await f.admin.patch(`users/${user.id}`, { licenses: ['crm', 'service'], active: false });
      expect(licensed.status).toBe(200);
      expect(licensed.body).toMatchObject({ licenses: ['crm', 'service'], active: false, scimRemoved: true });
      const activate = await f.admin.patch(`users/${user.id}`, { active: true, licenses: [] });
      expect(activate.status).toBe(409);
      expect(activate.body).toEqual({ error: 'scim_removed', message: expect.stringContaining('was removed by the identity provider'), field: 'active' });
      expect((await f.admin.get(`users/${user.id}`)).body).toMatchObject({ licenses: ['crm', 'service'], active: false, scimRemoved: true });
    });

    it('refuses the password and the SAML sign-in of a removed user as inactive, and ends its sessions', async () => {
      const s = await createSamlScimTenant(t);
      const email = `removed.${randomUUID().slice(0, 8)}@example.com`;
      const password = 'correct horse battery staple';
      const created = await createUser(s.admin, { email, password });
      const session = await signIn(t, s.tenant.slug, email, password);
      expect((await s.samlAs(email)).status).toBe(302);

      expect((await s.scim.delete(`Users/${created.id}`)).status).toBe(204);
      expect((await session.get('me')).status).toBe(401);
      const byPassword = await login(t, s.tenant.slug, email, password);
      expect(byPassword.status).toBe(403);
      expect(byPassword.body).toEqual({ error: 'inactive', message: expect.stringContaining('removed by your identity provider') });
      expectRefused(await s.samlAs(email), 403, 'This account is deactivated');
      const reasons = (await s.admin.get('audit?limit=5')).body.items as { kind: string; outcome: string; reason: string | null }[];
      expect(reasons).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'auth', outcome: 'failure', reason: 'user was removed by the identity provider' }),
          expect.objectContaining({ kind: 'saml_login', outcome: 'failure', reason: expect.stringContaining('removed by the identity provider') }),
        ]),
      );
    });

    it('ends every group membership in the same transaction, taking one off each group member_count', async () => {
      const user = await create();
      const other = await create();
      const groups = await queryDatabase<{ id: string }>(
        t.db,
        `INSERT INTO groups (tenant_id, display_name) SELECT $1, 'Removal ' || $2 || ' ' || i FROM generate_series(1, 3) AS i RETURNING id`,
        [f.tenant.id, randomUUID().slice(0, 8)],
      );
      const ids = groups.map((g) => g.id);
      await queryDatabase(
        t.db,
        `INSERT INTO group_members (tenant_id, group_id, user_id) SELECT $1, g, u FROM unnest($2::uuid[]) AS g, unnest($3::uuid[]) AS u`,
        [f.tenant.id, ids, [user.id, other.id]],
      );
      await queryDatabase(t.db, 'UPDATE groups SET member_count = 2 WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [f.tenant.id, ids]);

      expect((await f.scim.delete(`Users/${user.id}`)).status).toBe(204);
      const members = await queryDatabase<{ user_id: string }>(t.db, 'SELECT user_id FROM group_members WHERE tenant_id = $1 AND group_id = ANY($2::uuid[])', [f.tenant.id, ids]);
      expect(members.map((m) => m.user_id)).toEqual([other.id, other.id, other.id]);
      const counts = await queryDatabase(t.db, 'SELECT member_count, version FROM groups WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [f.tenant.id, ids]);
      expect(counts).toEqual([
        { member_count: 1, version: 2 },
        { member_count: 1, version: 2 },
        { member_count: 1, version: 2 },
      ]);
    });

    it('a later POST of the userName (any case) brings the same row back: 201, same id, active, attributes from the body', async () => {
      const user = await create({ externalId: 'before', displayName: 'Before Removal' });
      expect((await f.admin.patch(`users/${user.id}`, { licenses: ['marketing'] })).status).toBe(200);
      expect((await f.scim.delete(`Users/${user.id}`)).status).toBe(204);

      const again = newUser({ userName: user.userName.toUpperCase(), name: { givenName: 'Back', familyName: 'Again' }, active: false });
      const res = await f.scim.post('Users', again);
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: user.id,
        userName: again.userName,
        name: { givenName: 'Back', familyName: 'Again' },
        displayName: 'Back Again',
        active: true,
        emails: [{ value: again.userName, type: 'work', primary: true }],
        meta: { resourceType: 'User', created: user.meta.created, lastModified: expect.any(String), location: user.meta.location, version: 'W/"4"' },
      });
      expect(res.headers.location).toBe(user.meta.location);
      expect(res.headers.etag).toBe('W/"4"');
      expect((await f.scim.get(`Users/${user.id}`)).body).toEqual(res.body);
      expect((await filter(`userName eq "${user.userName}"`)).body.Resources).toEqual([res.body]);
      const [row] = await queryDatabase(t.db, 'SELECT scim_removed_at, display_name, external_id FROM users WHERE tenant_id = $1 AND id = $2', [f.tenant.id, user.id]);
      expect(row).toEqual({ scim_removed_at: null, display_name: null, external_id: null });
      expect((await f.admin.get(`users/${user.id}`)).body).toMatchObject({ active: true, scimRemoved: false, licenses: ['marketing'], role: 'user' });

      expectError(await f.scim.post('Users', again), 409, 'uniqueness', expect.stringContaining(again.userName));
      const events = await scimAudit();
      expect(events.slice(0, 3).map((e) => `${e.action}:${e.target}:${e.outcome}`)).toEqual([
        `user.create:${again.userName}:failure`,
        `user.create:${again.userName}:success`,
        `user.deactivate:${user.userName}:success`,
      ]);
    });

    it('10 concurrent POSTs of a removed userName bring it back once (201) and answer 409 to the rest, never a 500', async () => {
      const user = await create();
      expect((await f.scim.delete(`Users/${user.id}`)).status).toBe(204);
      const responses = await Promise.all(Array.from({ length: 10 }, () => f.scim.post('Users', newUser({ userName: user.userName }))));
      expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
      for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual(scimError(409, 'uniqueness'));
      expect(responses.find((r) => r.status === 201)!.body.id).toBe(user.id);
    });

    it('still refuses to remove the last active System Admin, and brings a removed admin back with its role (letter case may differ)', async () => {
      const other = await createScimTenant(t);
      const adminId = other.admin.user.id;
      const refused = await other.scim.delete(`Users/${adminId}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual(scimError(409, undefined, expect.stringContaining('last active System Admin')));
      expect((await other.admin.get(`users/${adminId}`)).body).toMatchObject({ active: true, scimRemoved: false });

      const second = await other.admin.post('users', { email: `second-${randomUUID().slice(0, 6)}@example.com`, givenName: 'S', familyName: 'A', role: 'system_admin' });
      expect(second.status).toBe(201);
      expect((await other.scim.delete(`Users/${adminId}`)).status).toBe(204);
      expect(((await other.scim.get(`Users/${second.body.id}`)).body as ScimUserJson).active).toBe(true);
      const back = await other.scim.post('Users', newUser({ userName: other.tenant.admin.email.toUpperCase() }));
      expect(back.status).toBe(201);
      expect(back.body).toMatchObject({ id: adminId, active: true, userName: other.tenant.admin.email.toUpperCase() });
      expect((await signIn(t, other.tenant.slug, other.tenant.admin.email, other.tenant.admin.password)).user).toMatchObject({ id: adminId, role: 'system_admin', scimRemoved: false });
    });
  });

  describe('displayName', () => {
    const stored = async (id: string) =>
      (await queryDatabase<{ display_name: string | null }>(t.db, 'SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2', [f.tenant.id, id]))[0]!.display_name;

    it('is stored as sent by POST, PUT and PATCH (with and without path), derived from the names when never sent or removed', async () => {
      const derived = await create({ name: { givenName: 'Ada', familyName: 'Lovelace' } });
      expect(derived.displayName).toBe('Ada Lovelace');
      expect(await stored(derived.id)).toBeNull();

      const user = await create({ displayName: 'Countess of Lovelace' });
      expect(user.displayName).toBe('Countess of Lovelace');
      expect(await stored(user.id)).toBe('Countess of Lovelace');
      expect((await filter(`displayName eq "countess of lovelace"`)).body.Resources).toEqual([user]);

      const put = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'A', familyName: 'B' }, displayName: 'By PUT' });
      expect(put.body.displayName).toBe('By PUT');
      const kept = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'C', familyName: 'D' } });
      expect(kept.body.displayName).toBe('By PUT');
      const path = await f.scim.patch(`Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'By Path' }] });
      expect(path.body).toMatchObject({ displayName: 'By Path', meta: { version: 'W/"4"' } });
      const pathless = await f.scim.patch(`Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: 'Path-less', 'name.givenName': 'E' } }] });
      expect(pathless.body).toMatchObject({ displayName: 'Path-less', name: { givenName: 'E', familyName: 'D' } });
      const removed = await f.scim.patch(`Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'displayName' }] });
      expect(removed.body.displayName).toBe('E D');
      expect(await stored(user.id)).toBeNull();
      const nulled = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'F', familyName: 'G' }, displayName: 'Again' });
      expect(nulled.body.displayName).toBe('Again');
      expect((await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'F', familyName: 'G' }, displayName: null })).body.displayName).toBe('F G');
    });

    it('answers 400 invalidValue naming displayName when it is over 400 characters or not a string, changing nothing', async () => {
      const user = await create({ displayName: 'x'.repeat(400) });
      expect(user.displayName).toHaveLength(400);
      const long = 'y'.repeat(401);
      const body = newUser({ displayName: long });
      expectError(await f.scim.post('Users', body), 400, 'invalidValue', 'displayName must be at most 400 characters');
      expect((await filter(`userName eq "${body.userName}"`)).body.totalResults).toBe(0);
      expectError(await f.scim.post('Users', newUser({ displayName: { formatted: 'x' } })), 400, 'invalidValue', 'displayName must be a string');
      expectError(await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: user.name, displayName: long }), 400, 'invalidValue', 'displayName must be at most 400 characters');
      expectError(
        await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'replace', path: 'displayName', value: long }] }),
        400,
        'invalidValue',
        'Operation 1: displayName must be at most 400 characters',
      );
      expectError(
        await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'replace', value: { displayName: 'ok', active: false } }, { op: 'replace', value: { displayName: 7 } }] }),
        400,
        'invalidValue',
        'Operation 2: displayName must be a string',
      );
      expect(await fetchUser(user.id)).toEqual(user);
    });
  });

  describe('sessions end at once when SCIM deactivates a user', () => {
    it.each([
      ['DELETE', (scim: ScimTenantFixture['scim'], id: string) => scim.delete(`Users/${id}`)],
      ['PATCH active "False"', (scim: ScimTenantFixture['scim'], id: string) => scim.patch(`Users/${id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })],
      ['PATCH {"active":false}', (scim: ScimTenantFixture['scim'], id: string) => scim.patch(`Users/${id}`, { Operations: [{ op: 'replace', value: { active: false } }] })],
      [
        'PUT active false',
        async (scim: ScimTenantFixture['scim'], id: string) => {
          const current = (await scim.get(`Users/${id}`)).body as ScimUserJson;
          return scim.put(`Users/${id}`, { ...current, active: false });
        },
      ],
    ])('%s', async (_label, deactivate) => {
      const email = `signed-in.${randomUUID().slice(0, 8)}@example.com`;
      const password = 'correct horse battery staple';
      const created = await createUser(f.admin, { email, password });
      const session = await signIn(t, f.tenant.slug, email, password);
      expect((await session.get('me')).status).toBe(200);
      const found = await filter(`userName eq "${email}"`);
      expect(found.body.Resources[0].id).toBe(created.id);

      const res = await deactivate(f.scim, created.id);
      expect([200, 204]).toContain(res.status);
      const me = await session.get('me');
      expect(me.status).toBe(401);
      expect(me.body.error).toBe('unauthenticated');
      const rows = await queryDatabase(t.db, 'SELECT 1 FROM sessions WHERE tenant_id = $1 AND user_id = $2', [f.tenant.id, created.id]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('versions and If-Match', () => {
    it('meta.version (= ETag) changes on every write that changes the user; a stale If-Match is 412 on PUT, PATCH and DELETE', async () => {
      const user = await create();
      expect(user.meta.version).toBe('W/"1"');
      const patched = await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'replace', path: 'name.givenName', value: 'V2' }] }, { 'if-match': 'W/"1"' });
      expect(patched.status).toBe(200);
      expect(patched.body.meta.version).toBe('W/"2"');
      expect(patched.headers.etag).toBe('W/"2"');
      expect(Date.parse(patched.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(user.meta.lastModified));

      const stale = { 'if-match': 'W/"1"' };
      expectError(await f.scim.patch(`Users/${user.id}`, { Operations: [{ op: 'replace', path: 'name.givenName', value: 'Lost' }] }, stale), 412, undefined, expect.stringContaining('W/"2"'));
      expectError(await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'Lost', familyName: 'Update' } }, stale), 412);
      expectError(await f.scim.delete(`Users/${user.id}`, stale), 412);
      const current = await fetchUser(user.id);
      expect(current).toMatchObject({ active: true, name: { givenName: 'V2' }, meta: { version: 'W/"2"' } });

      const put = await f.scim.put(`Users/${user.id}`, { userName: user.userName, name: { givenName: 'V3', familyName: 'X' } }, { 'if-match': 'W/"1", W/"2"' });
      expect(put.body.meta.version).toBe('W/"3"');
      expect((await f.scim.delete(`Users/${user.id}`, { 'if-match': '*' })).status).toBe(204);
      const [row] = await queryDatabase(t.db, 'SELECT version FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual({ version: 4 });
    });
  });

  describe('licenses', () => {
    it('SCIM never assigns or removes licenses (create, PUT, PATCH, DELETE, licenses in the body)', async () => {
      const created = await f.scim.post('Users', newUser({ licenses: ['crm'], entitlements: [{ value: 'crm' }], roles: [{ value: 'system_admin' }] }));
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await f.admin.get(`users/${id}`)).body).toMatchObject({ licenses: [], role: 'user' });

      const assigned = await f.admin.patch(`users/${id}`, { licenses: ['crm', 'service'] });
      expect(assigned.body.licenses).toEqual(['crm', 'service']);
      const user = (await f.scim.get(`Users/${id}`)).body as ScimUserJson;
      await f.scim.put(`Users/${id}`, { ...user, name: { givenName: 'L', familyName: 'M' }, licenses: [] });
      await f.scim.patch(`Users/${id}`, { Operations: [{ op: 'replace', value: { licenses: [], active: false } }, { op: 'remove', path: 'licenses' }] });
      await f.scim.patch(`Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: true }] });
      await f.scim.delete(`Users/${id}`);
      expect((await f.admin.get(`users/${id}`)).body).toMatchObject({ licenses: ['crm', 'service'], role: 'user', active: false });
    });
  });

  describe('audit', () => {
    it('records every SCIM write (kind scim) with its outcome and, on failure, the reason', async () => {
      const a = await createScimTenant(t);
      const ok = newUser();
      const created = (await a.scim.post('Users', ok)).body as ScimUserJson;
      await a.scim.post('Users', { ...ok, userName: ok.userName.toUpperCase() });
      await a.scim.post('Users', newUser({ userName: 'broken' }));
      await a.scim.patch(`Users/${created.id}`, { Operations: [{ op: 'replace', path: 'name.givenName', value: 'Audited' }] });
      await a.scim.patch(`Users/${created.id}`, { Operations: [{ op: 'remove' }] });
      await a.scim.put(`Users/${created.id}`, { userName: ok.userName, name: ok.name, active: false });
      await a.scim.patch(`Users/${created.id}`, { Operations: [{ op: 'replace', path: 'active', value: 'True' }] });
      await a.scim.delete(`Users/${created.id}`);
      const missing = randomUUID();
      await a.scim.delete(`Users/${missing}`);
      await a.scim.get(`Users/${created.id}`); // reads are not audited

      const res = await a.admin.get('audit?kind=scim');
      expect(res.status).toBe(200);
      const rows = (res.body.items as { kind: string; actor: string; action: string; target: string; outcome: string; reason: string | null }[]).map((e) => ({
        kind: e.kind,
        actor: e.actor,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        reason: e.reason,
      }));
      const r = (action: string, target: string, outcome: string, reason: unknown = null) => ({ kind: 'scim', actor: 'scim', action, target, outcome, reason });
      expect(rows.reverse()).toEqual([
        r('user.create', ok.userName, 'success'),
        r('user.create', ok.userName.toUpperCase(), 'failure', expect.stringMatching(/^409 uniqueness: /)),
        r('user.create', 'broken', 'failure', '400 invalidValue: userName must be an email address'),
        r('user.update', ok.userName, 'success'),
        r('user.update', ok.userName, 'failure', '400 noTarget: Operation 1: "remove" needs a path'),
        r('user.deactivate', ok.userName, 'success'),
        r('user.reactivate', ok.userName, 'success'),
        r('user.deactivate', ok.userName, 'success'),
        r('user.deactivate', missing, 'failure', `404: Resource ${missing} not found`),
      ]);
      const json = JSON.stringify(await queryDatabase(t.db, 'SELECT * FROM audit_events WHERE tenant_id = $1', [a.tenant.id]));
      expect(json).not.toContain(a.settings.token!);
    });
  });
});

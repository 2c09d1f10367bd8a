import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { GroupView } from '../../src/contract/api-views.js';
import { expectSignedIn } from '../factories/saml.factory.js';
import { addMembers, insertGroup, removeMembers } from '../factories/group.factory.js';
import { createUser, signIn, type Session, type UserJson } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { createSamlScimTenant, type SamlScimTenantFixture } from '../utils/scim-fixtures.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../utils/test-app.js';
import { queryDatabase } from '../utils/test-database.js';

type GroupJson = GroupView;

/**
 * The admin API over groups (contract v2, section 2 "Groups") and group licenses: a group's
 * licenses reach its members' effectiveLicenses on their next request, by password or SAML
 * session, in the admin API and over SCIM; membership ending takes them away. Groups and
 * memberships are made in SQL here, as SCIM leaves them (member_count kept).
 */
describe('groups admin API and group licenses', () => {
  let t: TestApp;
  let f: SamlScimTenantFixture;
  let admin: Session;
  let other: TenantFixture;
  let otherAdmin: Session;
  let sales: string;
  let support: string;
  let alice: UserJson;
  let bob: UserJson;

  const meOf = async (cookie: string) => {
    const res = await request(t.http).get(`/api/t/${f.tenant.slug}/me`).set('cookie', cookie);
    expect(res.status).toBe(200);
    return (res.body as { user: UserJson }).user;
  };

  beforeAll(async () => {
    t = await startTestApp();
    f = await createSamlScimTenant(t);
    admin = f.admin;
    other = await createTenant(t);
    otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
    alice = await createUser(admin, { email: 'alice@acme.test', givenName: 'Alice', password: 'alice-password-1' });
    bob = await createUser(admin, { email: 'bob@acme.test', givenName: 'Bob' });
    sales = await insertGroup(t, f.tenant.id, 'Sales', { externalId: 'entra-sales' });
    support = await insertGroup(t, f.tenant.id, 'support');
    await addMembers(t, f.tenant.id, sales, [alice.id, bob.id]);
    await addMembers(t, f.tenant.id, support, [alice.id]);
    // Two tenants, an IdP key pair, SAML and SCIM set up, three scrypt sign-ins: slow on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await t.close();
  });

  describe('GET /groups', () => {
    it('lists the groups in name order (ASCII letters in any case) with member count, licenses and source', async () => {
      const res = await admin.get('groups');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          { id: sales, displayName: 'Sales', externalId: 'entra-sales', memberCount: 2, licenses: [], source: 'scim', createdAt: expect.any(String), updatedAt: expect.any(String) },
          { id: support, displayName: 'support', externalId: null, memberCount: 1, licenses: [], source: 'scim', createdAt: expect.any(String), updatedAt: expect.any(String) },
        ],
        total: 2,
      });
    });

    it('searches by part of the display name without regard to ASCII case, and pages', async () => {
      const ids: string[] = [];
      for (const name of ['Eng Alpha', 'eng beta', 'ENG Gamma', 'Engines_100%', 'Eng kit']) ids.push(await insertGroup(t, f.tenant.id, name));
      const first = await admin.get('groups?search=eNg&limit=2&offset=0');
      expect(first.status).toBe(200);
      expect(first.body.total).toBe(5);
      expect((first.body.items as GroupJson[]).map((g) => g.displayName)).toEqual(['Eng Alpha', 'eng beta']);
      const next = await admin.get('groups?search=ENG&limit=2&offset=2');
      expect((next.body.items as GroupJson[]).map((g) => g.displayName)).toEqual(['ENG Gamma', 'Eng kit']);
      const last = await admin.get('groups?search=ENG&limit=2&offset=4');
      expect(last.body).toEqual({ items: [expect.objectContaining({ displayName: 'Engines_100%' })], total: 5 });
      // LIKE's wildcards are plain characters in a search.
      const literal = await admin.get(`groups?search=${encodeURIComponent('_100%')}`);
      expect((literal.body.items as GroupJson[]).map((g) => g.displayName)).toEqual(['Engines_100%']);
      expect((await admin.get('groups?search=%25')).body.total).toBe(1);
      // Only ASCII letters fold: the Kelvin sign is not a K.
      expect((await admin.get('groups?search=KIT')).body.total).toBe(1);
      expect((await admin.get(`groups?search=${encodeURIComponent('\u212AIT')}`)).body).toEqual({ items: [], total: 0 });
      const all = await admin.get('groups?limit=200');
      expect(all.body.total).toBe(7);
      await queryDatabase(t.db, 'DELETE FROM groups WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [f.tenant.id, ids]);
    });

    it('refuses paging out of bounds by name', async () => {
      const limit = await admin.get('groups?limit=201');
      expect(limit.status).toBe(400);
      expect(limit.body).toEqual({ error: 'validation_failed', message: expect.stringContaining('limit'), field: 'limit' });
      const offset = await admin.get('groups?offset=-1');
      expect(offset.status).toBe(400);
      expect(offset.body).toEqual({ error: 'validation_failed', message: expect.stringContaining('offset'), field: 'offset' });
      const search = await admin.get(`groups?search=${'x'.repeat(401)}`);
      expect(search.status).toBe(400);
      expect(search.body).toEqual({ error: 'validation_failed', message: expect.stringContaining('search'), field: 'search' });
    });
  });

  describe('GET /groups/{id}/members', () => {
    it('pages the members (each a user object with groups and effective licenses); total is the member count', async () => {
      const big = await insertGroup(t, f.tenant.id, 'Paged');
      const members: UserJson[] = [];
      for (let i = 0; i < 5; i++) members.push(await createUser(admin, { email: `member${i}@acme.test` }));
      await addMembers(t, f.tenant.id, big, members.map((m) => m.id));
      const seen: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) {
        const res = await admin.get(`groups/${big}/members?offset=${offset}&limit=2`);
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(5);
        expect(res.body.items.length).toBe(Math.min(2, 5 - offset));
        for (const u of res.body.items as UserJson[]) {
          expect(u).toMatchObject({ email: expect.stringMatching(/^member\d@acme\.test$/), groups: [{ id: big, displayName: 'Paged', licenses: [] }], effectiveLicenses: [] });
          seen.push(u.id);
        }
      }
      // Every member once, in the membership key's order (user id).
      expect(seen).toEqual(members.map((m) => m.id).sort());
      const empty = await admin.get(`groups/${big}/members?offset=5`);
      expect(empty.body).toEqual({ items: [], total: 5 });
      await queryDatabase(t.db, 'DELETE FROM groups WHERE tenant_id = $1 AND id = $2', [f.tenant.id, big]);
    });

    it('answers 404 for an unknown, malformed or foreign group id', async () => {
      const foreign = await insertGroup(t, other.id, 'Foreign');
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', foreign]) {
        const res = await admin.get(`groups/${id}/members`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not_found', message: `No group with id ${id} in this tenant` });
      }
      expect((await otherAdmin.get(`groups/${foreign}/members`)).body).toEqual({ items: [], total: 0 });
    });
  });

  describe('PATCH /groups/{id} licenses', () => {
    let aliceCookie: string;
    let aliceSamlCookie: string;

    it('a member signed in by password and by SAML holds no group license yet', async () => {
      const password = await signIn(t, f.tenant.slug, alice.email, 'alice-password-1');
      aliceCookie = password.cookie;
      expect(password.user).toMatchObject({ licenses: [], effectiveLicenses: [], groups: [{ id: sales, displayName: 'Sales', licenses: [] }, { id: support, displayName: 'support', licenses: [] }] });
      aliceSamlCookie = expectSignedIn(await f.samlAs(alice.email), `/t/${f.tenant.slug}/app`);
      expect((await meOf(aliceSamlCookie)).effectiveLicenses).toEqual([]);
    });

    it('gives the group licenses (canonical order, no duplicates): members hold them on their next request', async () => {
      const unlicensed = async () => ((await admin.get('users?limit=1')).body as { activeWithoutLicenses: number }).activeWithoutLicenses;
      const before = await unlicensed();
      const res = await admin.patch(`groups/${sales}`, { licenses: ['service', 'crm', 'crm'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: sales,
        displayName: 'Sales',
        externalId: 'entra-sales',
        memberCount: 2,
        licenses: ['crm', 'service'],
        source: 'scim',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(res.body.updatedAt as string).getTime()).toBeGreaterThan(new Date(res.body.createdAt as string).getTime());
      // The sessions already open see it at once: password and SAML.
      for (const cookie of [aliceCookie, aliceSamlCookie]) {
        const me = await meOf(cookie);
        expect(me.licenses).toEqual([]);
        expect(me.effectiveLicenses).toEqual(['crm', 'service']);
        expect(me.groups).toEqual([
          { id: sales, displayName: 'Sales', licenses: ['crm', 'service'] },
          { id: support, displayName: 'support', licenses: [] },
        ]);
      }
      // A new SAML sign-in lands on the app page, whose /me says so.
      const landed = expectSignedIn(await f.samlAs('BOB@acme.test'), `/t/${f.tenant.slug}/app`);
      expect((await meOf(landed)).effectiveLicenses).toEqual(['crm', 'service']);
      const listed = (await admin.get('groups')).body as { items: GroupJson[] };
      expect(listed.items.find((g) => g.id === sales)?.licenses).toEqual(['crm', 'service']);
      // The User List banner counts effective licenses: Alice and Bob hold some now.
      expect(await unlicensed()).toBe(before - 2);
    });

    it('unions own and group licenses in catalogue order, and the User List shows where each comes from', async () => {
      await admin.patch(`users/${alice.id}`, { licenses: ['marketing', 'crm'] });
      await admin.patch(`groups/${support}`, { licenses: ['service'] });
      const list = await admin.get('users?search=alice');
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          email: 'alice@acme.test',
          licenses: ['crm', 'marketing'],
          effectiveLicenses: ['crm', 'marketing', 'service'],
          groups: [
            { id: sales, displayName: 'Sales', licenses: ['crm', 'service'] },
            { id: support, displayName: 'support', licenses: ['service'] },
          ],
        }),
      ]);
      // The admin's user dialog edits direct licenses only: taking CRM away leaves the group's.
      const direct = await admin.patch(`users/${alice.id}`, { licenses: [] });
      expect(direct.body).toMatchObject({ licenses: [], effectiveLicenses: ['crm', 'service'] });
      expect((await admin.get(`users/${bob.id}`)).body).toMatchObject({ licenses: [], effectiveLicenses: ['crm', 'service'], groups: [{ id: sales, displayName: 'Sales' }] });
    });

    it('SCIM reads of a member carry the read-only groups attribute', async () => {
      const res = await f.scim.get(`Users/${alice.id}`);
      expect(res.status).toBe(200);
      const base = `${PUBLIC_URL}/scim/v2/${f.tenant.slug}`;
      expect(res.body.groups).toEqual([
        { value: sales, display: 'Sales', $ref: `${base}/Groups/${sales}` },
        { value: support, display: 'support', $ref: `${base}/Groups/${support}` },
      ]);
      const listed = await f.scim.get(`Users?filter=${encodeURIComponent('userName eq "bob@acme.test"')}`);
      expect(listed.body.Resources[0].groups).toEqual([{ value: sales, display: 'Sales', $ref: `${base}/Groups/${sales}` }]);
      // SCIM writing the user does not touch licenses or groups; the groups come back in the answer.
      const put = await f.scim.put(`Users/${bob.id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bob@acme.test', name: { givenName: 'Bob', familyName: 'B' }, groups: [] });
      expect(put.status).toBe(200);
      expect(put.body.groups).toEqual([{ value: sales, display: 'Sales', $ref: `${base}/Groups/${sales}` }]);
      expect((await admin.get(`users/${bob.id}`)).body.effectiveLicenses).toEqual(['crm', 'service']);
    });

    it('membership ending takes the group licenses away on the next request', async () => {
      await removeMembers(t, f.tenant.id, sales, [alice.id]);
      const me = await meOf(aliceSamlCookie);
      expect(me.effectiveLicenses).toEqual(['service']);
      expect(me.groups).toEqual([{ id: support, displayName: 'support', licenses: ['service'] }]);
      expect((await f.scim.get(`Users/${alice.id}`)).body.groups).toEqual([{ value: support, display: 'support', $ref: expect.stringMatching(new RegExp(`/Groups/${support}$`)) }]);
      await removeMembers(t, f.tenant.id, support, [alice.id]);
      const none = await meOf(aliceCookie);
      expect(none).toMatchObject({ licenses: [], effectiveLicenses: [], groups: [] });
      expect((await f.scim.get(`Users/${alice.id}`)).body).not.toHaveProperty('groups');
      expect((await admin.get('groups')).body.items.find((g: GroupJson) => g.id === sales).memberCount).toBe(1);
    });

    it('taking the licenses from the group takes them from its members', async () => {
      const res = await admin.patch(`groups/${sales}`, { licenses: [] });
      expect(res.status).toBe(200);
      expect(res.body.licenses).toEqual([]);
      expect((await admin.get(`users/${bob.id}`)).body).toMatchObject({ licenses: [], effectiveLicenses: [] });
    });

    it('audits each change by the group: actor the admin, target the group, licenses before and after', async () => {
      const audit = await admin.get('audit?kind=settings&limit=50');
      expect(audit.status).toBe(200);
      const changes = (audit.body.items as { action: string; actor: string; target: string; outcome: string }[]).filter((e) => e.action === 'group.licenses');
      expect(changes).toEqual([
        expect.objectContaining({ kind: 'settings', actor: f.tenant.admin.email, target: 'Sales', outcome: 'success' }),
        expect.objectContaining({ kind: 'settings', actor: f.tenant.admin.email, target: 'support', outcome: 'success' }),
        expect.objectContaining({ kind: 'settings', actor: f.tenant.admin.email, target: 'Sales', outcome: 'success' }),
      ]);
      const rows = await queryDatabase<{ details: unknown }>(t.db, "SELECT details FROM audit_events WHERE tenant_id = $1 AND action = 'group.licenses' ORDER BY at, id", [f.tenant.id]);
      expect(rows.map((r) => r.details)).toEqual([
        { groupId: sales, before: [], after: ['crm', 'service'] },
        { groupId: support, before: [], after: ['service'] },
        { groupId: sales, before: ['crm', 'service'], after: [] },
      ]);
      // The same licenses again change nothing and record nothing.
      const same = await admin.patch(`groups/${sales}`, { licenses: [] });
      expect(same.status).toBe(200);
      expect((await queryDatabase(t.db, "SELECT 1 FROM audit_events WHERE tenant_id = $1 AND action = 'group.licenses'", [f.tenant.id])).length).toBe(3);
    });

    it('answers 400 unknown_license naming the key, and changes nothing', async () => {
      const res = await admin.patch(`groups/${support}`, { licenses: ['crm', 'erp'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'unknown_license', message: 'Unknown license "erp"; known: crm, marketing, service', field: 'licenses' });
      expect((await admin.get('groups')).body.items.find((g: GroupJson) => g.id === support).licenses).toEqual(['service']);
    });

    it('answers 400 for a body that is not a license list', async () => {
      for (const body of [{}, { licenses: 'crm' }, { licenses: [1] }, { licenses: null }, { licenses: Array.from({ length: 51 }, () => 'crm') }]) {
        const res = await admin.patch(`groups/${support}`, body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: 'validation_failed', message: expect.stringContaining('licenses'), field: 'licenses' });
      }
    });

    it('answers 404 for an unknown, malformed or foreign group id, and leaves the other tenant’s group alone', async () => {
      const foreign = await insertGroup(t, other.id, 'Foreign licensed');
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', foreign]) {
        const res = await admin.patch(`groups/${id}`, { licenses: ['crm'] });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not_found', message: `No group with id ${id} in this tenant` });
      }
      const theirs = await otherAdmin.get('groups?search=licensed');
      expect(theirs.body.items).toEqual([expect.objectContaining({ id: foreign, licenses: [] })]);
      // A's session means nothing on B's URLs.
      const bySlug = await admin.patch(`/api/t/${other.slug}/groups/${foreign}`, { licenses: ['crm'] });
      expect(bySlug.status).toBe(401);
      expect(bySlug.body.error).toBe('unauthenticated');
    });

    it('refuses a write without the CSRF token', async () => {
      const res = await request(t.http).patch(`/api/t/${f.tenant.slug}/groups/${support}`).set('cookie', admin.cookie).send({ licenses: ['crm'] });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'csrf', message: expect.any(String) });
    });
  });

  it('refuses anyone but a System Admin with 403 forbidden', async () => {
    const plain = await signIn(t, f.tenant.slug, alice.email, 'alice-password-1');
    for (const res of [await plain.get('groups'), await plain.get(`groups/${sales}/members`), await plain.patch(`groups/${sales}`, { licenses: ['crm'] })]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'forbidden', message: 'Only a System Admin can do this' });
    }
    const anonymous = await request(t.http).get(`/api/t/${f.tenant.slug}/groups`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthenticated');
    expect((await admin.get(`groups/${sales}`)).status).toBe(404);
  });
});

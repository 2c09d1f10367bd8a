import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createScimTenant, LIST_RESPONSE, PATCH_OP, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { createScimUsers, ENTRA_GROUP_EXTENSION, expectScimError, GROUP_SCHEMA, memberIds, type ScimGroupJson } from '../../utils/scim-groups.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';
import { queryDatabase } from '../../utils/test-database.js';

const SCIM_JSON = /^application\/scim\+json/;

describe('SCIM /Groups', () => {
  let t: TestApp;
  let f: ScimTenantFixture;
  let other: ScimTenantFixture;
  let users: string[];
  let n = 0;
  const groupName = (label = 'Group') => `${label} ${++n} ${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    t = await startTestApp();
    f = await createScimTenant(t);
    other = await createScimTenant(t);
    users = await createScimUsers(f.scim, 8, 'grp');
  });
  afterAll(async () => {
    await t.close();
  });

  async function createGroup(body: Record<string, unknown> = {}): Promise<ScimGroupJson> {
    const res = await f.scim.post('Groups', { schemas: [GROUP_SCHEMA], displayName: groupName(), ...body });
    if (res.status !== 201) throw new Error(`group create failed: ${res.status} ${res.text}`);
    return res.body as ScimGroupJson;
  }
  const patch = (id: string, operations: unknown[], headers: Record<string, string> = {}, query = '') =>
    f.scim.patch(`Groups/${id}${query}`, { schemas: [PATCH_OP], Operations: operations }, headers);
  const dbGroup = async (id: string) =>
    (await queryDatabase<{ member_count: number; n: number }>(t.db, 'SELECT g.member_count, (SELECT count(*)::int FROM group_members m WHERE m.tenant_id = g.tenant_id AND m.group_id = g.id) AS n FROM groups g WHERE g.tenant_id = $1 AND g.id = $2', [f.tenant.id, id]))[0];
  const scimAudit = async () => (await f.admin.get('audit?kind=scim&limit=50')).body.items as { action: string; target: string; outcome: string; reason: string | null }[];

  describe('POST /Groups', () => {
    it('creates a group with members: 201, Location, ETag, members with display and $ref, the Entra extension accepted', async () => {
      const displayName = groupName('Sales');
      const res = await f.scim.post('Groups', {
        schemas: [GROUP_SCHEMA, ENTRA_GROUP_EXTENSION],
        externalId: 'ext-sales',
        displayName,
        members: [{ value: users[0] }, { value: users[1], display: 'ignored', type: 'User' }],
        [ENTRA_GROUP_EXTENSION]: { description: 'ignored' },
      });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      const group = res.body as ScimGroupJson;
      const location = `${PUBLIC_URL}/scim/v2/${f.tenant.slug}/Groups/${group.id}`;
      expect(res.headers.location).toBe(location);
      expect(res.headers.etag).toBe('W/"1"');
      const expected = [users[0]!, users[1]!].sort().map((id) => ({
        value: id,
        display: `grp Member${users.indexOf(id) + 1}`,
        $ref: `${PUBLIC_URL}/scim/v2/${f.tenant.slug}/Users/${id}`,
        type: 'User',
      }));
      expect(group).toEqual({
        schemas: [GROUP_SCHEMA],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        externalId: 'ext-sales',
        displayName,
        members: expected,
        meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), location, version: 'W/"1"' },
      });
      expect(await dbGroup(group.id)).toEqual({ member_count: 2, n: 2 });
      const get = await f.scim.get(`Groups/${group.id}`);
      expect(get.status).toBe(200);
      expect(get.headers.etag).toBe('W/"1"');
      expect(get.body).toEqual(group);
      expect((await scimAudit())[0]).toMatchObject({ action: 'group.create', target: displayName, outcome: 'success' });
    });

    it('creates a group without members (members: [])', async () => {
      const group = await createGroup();
      expect(group.members).toEqual([]);
    });

    it('409 uniqueness on a displayName taken in another case; audited as a failure', async () => {
      const group = await createGroup();
      const res = await f.scim.post('Groups', { schemas: [GROUP_SCHEMA], displayName: group.displayName.toUpperCase() });
      expectScimError(res, 409, 'uniqueness', expect.stringContaining('already exists'));
      expect((await scimAudit())[0]).toMatchObject({ action: 'group.create', outcome: 'failure', reason: expect.stringContaining('409 uniqueness') });
      // Another tenant may use the name.
      expect((await other.scim.post('Groups', { schemas: [GROUP_SCHEMA], displayName: group.displayName })).status).toBe(201);
    });

    it('400 invalidValue for a missing displayName or a member that is not a user of this tenant; nothing created', async () => {
      expectScimError(await f.scim.post('Groups', { schemas: [GROUP_SCHEMA] }), 400, 'invalidValue', 'displayName is required');
      const name = groupName();
      const unknown = randomUUID();
      expectScimError(await f.scim.post('Groups', { displayName: name, members: [{ value: users[0] }, { value: unknown }] }), 400, 'invalidValue', expect.stringContaining(unknown));
      expect((await f.scim.get(`Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`)).body.totalResults).toBe(0);
    });
  });

  describe('PATCH /Groups/{id}', () => {
    it('Entra: Add many members, Replace displayName, Remove members (both shapes): 204 each, ETag moves', async () => {
      const group = await createGroup();
      const add = await patch(group.id, [{ op: 'Add', path: 'members', value: users.slice(0, 5).map((value) => ({ value })) }]);
      expect(add.status).toBe(204);
      expect(add.text).toBe('');
      expect(add.headers['content-type']).toBeUndefined();
      expect(add.headers.etag).toBe('W/"2"');
      expect(await memberIds(f.scim, group.id)).toEqual(users.slice(0, 5).sort());
      const rename = await patch(group.id, [{ op: 'Replace', path: 'displayName', value: `${group.displayName} renamed` }]);
      expect(rename.status).toBe(204);
      expect((await f.scim.get(`Groups/${group.id}`)).body.displayName).toBe(`${group.displayName} renamed`);
      expect((await patch(group.id, [{ op: 'Remove', path: 'members', value: [{ value: users[0] }] }])).status).toBe(204);
      expect((await patch(group.id, [{ op: 'remove', path: `members[value eq "${users[1]}"]` }])).status).toBe(204);
      expect(await memberIds(f.scim, group.id)).toEqual(users.slice(2, 5).sort());
      expect(await dbGroup(group.id)).toEqual({ member_count: 3, n: 3 });
    });

    it('Okta: path-less replace {id, displayName}, replace members, add members with display, empty replace empties', async () => {
      const group = await createGroup({ members: [{ value: users[0] }] });
      expect((await patch(group.id, [{ op: 'replace', value: { id: group.id, displayName: `${group.displayName} okta` } }])).status).toBe(204);
      expect((await patch(group.id, [{ op: 'replace', path: 'members', value: [{ value: users[2], display: 'x' }, { value: users[3] }] }])).status).toBe(204);
      expect(await memberIds(f.scim, group.id)).toEqual([users[2]!, users[3]!].sort());
      expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: users[4], display: 'grp4' }] }])).status).toBe(204);
      expect(await memberIds(f.scim, group.id)).toEqual([users[2]!, users[3]!, users[4]!].sort());
      expect((await patch(group.id, [{ op: 'replace', path: 'members', value: [] }])).status).toBe(204);
      expect(await memberIds(f.scim, group.id)).toEqual([]);
      expect(await dbGroup(group.id)).toEqual({ member_count: 0, n: 0 });
      expect((await f.scim.get(`Groups/${group.id}`)).body.displayName).toBe(`${group.displayName} okta`);
    });

    it('adding an existing member or removing a non-member is not an error; counts stay right', async () => {
      const group = await createGroup({ members: [{ value: users[0] }] });
      const res = await patch(group.id, [
        { op: 'add', path: 'members', value: [{ value: users[0] }, { value: users[0] }, { value: users[1] }] },
        { op: 'remove', path: 'members', value: [{ value: users[5] }, { value: randomUUID() }] },
      ]);
      expect(res.status).toBe(204);
      expect(await memberIds(f.scim, group.id)).toEqual([users[0]!, users[1]!].sort());
      expect(await dbGroup(group.id)).toEqual({ member_count: 2, n: 2 });
    });

    it('remove of members without a value empties the group; 200 with the projected group when attributes is asked', async () => {
      const group = await createGroup({ members: [{ value: users[0] }, { value: users[1] }] });
      const res = await patch(group.id, [{ op: 'remove', path: 'members' }], {}, '?attributes=displayName,members');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: group.displayName, members: [], meta: { resourceType: 'Group' } });
    });

    it('all or none: an unknown, removed or other-tenant member refuses the whole PATCH (400 invalidValue naming it)', async () => {
      const group = await createGroup({ members: [{ value: users[0] }] });
      const [removed] = await createScimUsers(f.scim, 1, `removed${n}-`);
      await queryDatabase(t.db, 'UPDATE users SET scim_removed_at = now() WHERE tenant_id = $1 AND id = $2', [f.tenant.id, removed]);
      const [foreign] = await createScimUsers(other.scim, 1, `foreign${n}-`);
      for (const bad of [randomUUID(), removed!, foreign!, 'not-a-uuid']) {
        const res = await patch(group.id, [
          { op: 'Replace', path: 'displayName', value: 'must not stick' },
          { op: 'Remove', path: 'members', value: [{ value: users[0] }] },
          { op: 'Add', path: 'members', value: [{ value: users[1] }, { value: bad }] },
        ]);
        expectScimError(res, 400, 'invalidValue', expect.stringContaining(bad));
      }
      const after = (await f.scim.get(`Groups/${group.id}`)).body as ScimGroupJson;
      expect({ name: after.displayName, version: after.meta.version, members: after.members!.map((m) => m.value) }).toEqual({ name: group.displayName, version: 'W/"1"', members: [users[0]] });
      expect((await scimAudit())[0]).toMatchObject({ action: 'group.update', outcome: 'failure', reason: expect.stringContaining('400 invalidValue') });
    });

    it('bad operations are 400 with the RFC 7644 scimType, nothing changed', async () => {
      const group = await createGroup();
      expectScimError(await patch(group.id, [{ op: 'move', path: 'members', value: [] }]), 400, 'invalidSyntax', expect.stringContaining('op must be'));
      expectScimError(await patch(group.id, [{ op: 'remove' }]), 400, 'noTarget');
      expectScimError(await patch(group.id, [{ op: 'remove', path: 'members[value eq' }]), 400, 'invalidPath');
      expectScimError(await patch(group.id, [{ op: 'remove', path: 'members[display eq "x"]' }]), 400, 'invalidFilter');
      expectScimError(await patch(group.id, [{ op: 'remove', path: 'displayName' }]), 400, 'invalidValue', expect.stringContaining('displayName is required'));
      expectScimError(await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: users[0], type: 'Group' }] }]), 400, 'invalidValue', expect.stringContaining('groups do not nest'));
      expectScimError(await f.scim.patch(`Groups/${group.id}`, { schemas: [PATCH_OP] }), 400, 'invalidSyntax');
      const tooMany = Array.from({ length: 10_001 }, () => ({ value: users[0] }));
      expectScimError(await patch(group.id, [{ op: 'add', path: 'members', value: tooMany }]), 400, 'invalidValue', expect.stringContaining('At most 10000 member values'));
      expect((await f.scim.get(`Groups/${group.id}`)).body.meta.version).toBe('W/"1"');
    });

    it('a rename onto another group\'s name (any case) is 409 uniqueness, nothing changed', async () => {
      const a = await createGroup();
      const b = await createGroup({ members: [{ value: users[0] }] });
      const res = await patch(b.id, [
        { op: 'add', path: 'members', value: [{ value: users[1] }] },
        { op: 'replace', path: 'displayName', value: a.displayName.toLowerCase() },
      ]);
      expectScimError(res, 409, 'uniqueness');
      expect(await memberIds(f.scim, b.id)).toEqual([users[0]]);
    });

    it('If-Match: a stale version is 412 and changes nothing; the current one (or *) applies', async () => {
      const group = await createGroup();
      const stale = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }], { 'if-match': 'W/"7"' });
      expectScimError(stale, 412, undefined, expect.stringContaining('W/"1"'));
      expect(await memberIds(f.scim, group.id)).toEqual([]);
      expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }], { 'if-match': 'W/"1"' })).status).toBe(204);
      expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: users[1] }] }], { 'if-match': '*' })).status).toBe(204);
      expectScimError(await f.scim.delete(`Groups/${group.id}`, { 'if-match': 'W/"1"' }), 412);
      expectScimError(await f.scim.put(`Groups/${group.id}`, { displayName: 'x' }, { 'if-match': 'W/"2"' }), 412);
    });

    it('404 for an unknown group or a group of another tenant', async () => {
      const theirs = (await other.scim.post('Groups', { displayName: groupName() })).body as ScimGroupJson;
      for (const id of [randomUUID(), theirs.id, 'nope']) {
        expectScimError(await patch(id, [{ op: 'replace', path: 'displayName', value: 'x' }]), 404);
        expectScimError(await f.scim.get(`Groups/${id}`), 404);
        expectScimError(await f.scim.delete(`Groups/${id}`), 404);
      }
    });
  });

  describe('PUT and DELETE', () => {
    it('PUT replaces displayName, externalId and the whole member list', async () => {
      const group = await createGroup({ externalId: 'old', members: [{ value: users[0] }, { value: users[1] }] });
      const res = await f.scim.put(`Groups/${group.id}`, { schemas: [GROUP_SCHEMA], id: group.id, displayName: `${group.displayName} v2`, members: [{ value: users[2] }] });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('W/"2"');
      expect(res.body).toMatchObject({ id: group.id, displayName: `${group.displayName} v2`, members: [expect.objectContaining({ value: users[2] })] });
      expect(res.body.externalId).toBeUndefined();
      expect(await dbGroup(group.id)).toEqual({ member_count: 1, n: 1 });
    });

    it('DELETE removes the group and its memberships, never the users', async () => {
      const group = await createGroup({ members: [{ value: users[0] }, { value: users[1] }] });
      const res = await f.scim.delete(`Groups/${group.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectScimError(await f.scim.get(`Groups/${group.id}`), 404);
      expect(await queryDatabase(t.db, 'SELECT 1 FROM group_members WHERE tenant_id = $1 AND group_id = $2', [f.tenant.id, group.id])).toEqual([]);
      expect((await f.scim.get(`Users/${users[0]}`)).body).toMatchObject({ id: users[0], active: true });
      expect((await scimAudit())[0]).toMatchObject({ action: 'group.delete', target: group.displayName, outcome: 'success' });
    });
  });

  describe('a user removed while groups change', () => {
    it('a SCIM DELETE of a member racing PATCHes that remove and add them never deadlocks (users, then groups, then memberships)', async () => {
      const racers = await createScimUsers(f.scim, 6, `race${randomUUID().slice(0, 4)}-`);
      const groups = await Promise.all([0, 1, 2].map(() => createGroup({ members: racers.map((value) => ({ value })) })));
      const results = await Promise.all(
        racers.flatMap((user, i) => [
          f.scim.delete(`Users/${user}`),
          ...groups.map((g, j) =>
            (i + j) % 2 === 0
              ? patch(g.id, [{ op: 'Remove', path: 'members', value: [{ value: user }] }])
              : patch(g.id, [{ op: 'remove', path: `members[value eq "${user}"]` }, { op: 'Replace', path: 'displayName', value: `${g.displayName} r${i}` }]),
          ),
        ]),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
      for (const g of groups) expect(await dbGroup(g.id)).toEqual({ member_count: 0, n: 0 });
    });
  });

  describe('GET /Groups', () => {
    it('filters displayName eq (ASCII case-insensitive, served by the unique index), externalId, id, members, joined by and', async () => {
      const externalId = `ext-${randomUUID()}`;
      const group = await createGroup({ externalId, members: [{ value: users[6] }] });
      const list = async (filter: string, extra = '') => {
        const res = await f.scim.get(`Groups?filter=${encodeURIComponent(filter)}${extra}`);
        expect(res.status).toBe(200);
        return res.body as { schemas: string[]; totalResults: number; Resources: ScimGroupJson[] };
      };
      const upper = await list(`displayName eq "${group.displayName.toUpperCase()}"`, '&excludedAttributes=members');
      expect(upper).toEqual({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [expect.objectContaining({ id: group.id })] });
      expect(upper.Resources[0]!.members).toBeUndefined();
      expect((await list(`externalId eq "${externalId}"`)).Resources.map((g) => g.id)).toEqual([group.id]);
      expect((await list(`id eq "${group.id}"`)).Resources[0]!.members).toEqual([expect.objectContaining({ value: users[6] })]);
      expect((await list(`members[value eq "${users[6]}"]`)).Resources.map((g) => g.id)).toContain(group.id);
      expect((await list(`members.value eq "${users[6]}" and displayName eq "${group.displayName}"`)).totalResults).toBe(1);
      expect((await list(`members.value eq "${users[7]}" and displayName eq "${group.displayName}"`)).totalResults).toBe(0);
      expect((await list('id eq "not-a-uuid"')).totalResults).toBe(0);
      // The Kelvin sign is not a K: no Unicode folding.
      expect((await list(`displayName eq "${group.displayName.replace(/k/gi, '\u212A')}"`)).totalResults).toBe(group.displayName.match(/k/i) ? 0 : 1);
    });

    it('a filter it cannot serve is 400 invalidFilter', async () => {
      for (const filter of ['displayName co "x"', 'displayName eq "a" or displayName eq "b"', 'description eq "x"', 'members[display eq "x"]', 'displayName eq']) {
        expectScimError(await f.scim.get(`Groups?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter');
      }
    });

    it('pages by index (startIndex/count) and by cursor with exact totals', async () => {
      const total = (await f.scim.get('Groups?count=0')).body.totalResults as number;
      expect(total).toBeGreaterThan(5);
      const seen: string[] = [];
      for (let start = 1; start <= total; start += 2) {
        const page = await f.scim.get(`Groups?startIndex=${start}&count=2&excludedAttributes=members`);
        expect(page.body).toMatchObject({ totalResults: total, startIndex: start });
        seen.push(...(page.body.Resources as ScimGroupJson[]).map((g) => g.id));
      }
      expect(new Set(seen).size).toBe(total);
      const viaCursor: string[] = [];
      let cursor = '';
      for (let i = 0; i < 100; i++) {
        const page = await f.scim.get(`Groups?cursor=${cursor}&count=3&attributes=displayName`);
        expect(page.status).toBe(200);
        viaCursor.push(...(page.body.Resources as ScimGroupJson[]).map((g) => g.id));
        if (!page.body.nextCursor) break;
        cursor = page.body.nextCursor as string;
      }
      expect(viaCursor.sort()).toEqual([...seen].sort());
    });

    it('lists carry each group\'s own members (one walk of the memberships for the page)', async () => {
      const a = await createGroup({ members: [{ value: users[0] }, { value: users[1] }] });
      const b = await createGroup({ members: [{ value: users[1] }, { value: users[2] }] });
      const res = await f.scim.get(`Groups?filter=${encodeURIComponent(`members[value eq "${users[1]}"]`)}&count=200`);
      const byId = new Map((res.body.Resources as ScimGroupJson[]).map((g) => [g.id, g.members!.map((m) => m.value).sort()]));
      expect(byId.get(a.id)).toEqual([users[0]!, users[1]!].sort());
      expect(byId.get(b.id)).toEqual([users[1]!, users[2]!].sort());
    });
  });

  describe('attributes and excludedAttributes', () => {
    it('project Groups: attributes keeps what it names plus id, schemas, meta.resourceType; URN-qualified names work', async () => {
      const group = await createGroup({ externalId: 'proj', members: [{ value: users[0] }] });
      const only = await f.scim.get(`Groups/${group.id}?attributes=${GROUP_SCHEMA}:displayName,members.value`);
      expect(only.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: group.displayName, members: [{ value: users[0] }], meta: { resourceType: 'Group' } });
      const excluded = await f.scim.get(`Groups/${group.id}?excludedAttributes=members,meta.location,externalId`);
      expect(excluded.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: group.displayName, meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), version: 'W/"1"' } });
      expectScimError(await f.scim.get(`Groups/${group.id}?attributes=display%20Name`), 400, 'invalidValue', expect.stringContaining('attributes'));
    });

    it('project Users on reads and on the bodies of writes', async () => {
      const created = await f.scim.post('Users?attributes=userName', { userName: `proj${n}@example.com`, name: { givenName: 'P', familyName: 'Q' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: expect.any(String), userName: `proj${n}@example.com`, meta: { resourceType: 'User' } });
      const id = created.body.id as string;
      const got = await f.scim.get(`Users/${id}?excludedAttributes=emails,name.familyName,meta`);
      expect(got.body).toEqual({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id,
        userName: `proj${n}@example.com`,
        name: { givenName: 'P' },
        displayName: 'P Q',
        active: true,
        meta: { resourceType: 'User' },
      });
      const patched = await f.scim.patch(`Users/${id}?attributes=active`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(patched.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, active: false, meta: { resourceType: 'User' } });
      const list = await f.scim.get(`Users?filter=${encodeURIComponent(`userName eq "proj${n}@example.com"`)}&attributes=urn:ietf:params:scim:schemas:core:2.0:User:userName`);
      expect(list.body.Resources).toEqual([{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName: `proj${n}@example.com`, meta: { resourceType: 'User' } }]);
    });
  });
});

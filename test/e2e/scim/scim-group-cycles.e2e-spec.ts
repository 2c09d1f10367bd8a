import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimTenant, LIST_RESPONSE, PATCH_OP, scimError, transcript, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { createScimUsers, ENTRA_GROUP_EXTENSION, GROUP_SCHEMA, memberIds, type ScimGroupJson } from '../../utils/scim-groups.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';

/**
 * The group conversations of the two identity providers, request by request, as their
 * provisioning services send them (Microsoft Learn "Tutorial: Develop and plan provisioning for a
 * SCIM endpoint" §Groups and "Known issues … SCIM 2.0 protocol compliance" for aadOptscim062020;
 * Okta "SCIM 2.0 Protocol Reference" §Group operations / Group Push). The exchanges of both cycles
 * are written to SCIM_GROUP_TRANSCRIPT_FILE (default: latchkey-recorded-group-cycles.md in the
 * temporary directory); test/fixtures/scim/recorded-group-cycles.md is a copy of one run.
 */
const OUT = process.env.SCIM_GROUP_TRANSCRIPT_FILE ?? join(tmpdir(), 'latchkey-recorded-group-cycles.md');
const EMPTY_LIST = { schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] };
const sections: string[] = [];

describe('identity provider group cycles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    writeFileSync(OUT, `# Recorded SCIM group cycles\n\nWritten by test/e2e/scim/scim-group-cycles.e2e-spec.ts (one run; ids and times vary).\n\n${sections.join('\n\n')}\n`);
    await t.close();
  });

  describe('Microsoft Entra ID: "Provision Microsoft Entra ID Groups"', () => {
    let f: ScimTenantFixture;
    let users: string[];
    let id: string;
    const displayName = `Sales Team ${randomUUID().slice(0, 6)}`;
    beforeAll(async () => {
      f = await createScimTenant(t);
      users = await createScimUsers(f.scim, 4, 'entra.member');
      f.scim.exchanges.length = 0;
    });
    afterAll(() => {
      sections.push(`## Microsoft Entra ID group cycle\n\n\`\`\`http\n${transcript(f.scim.exchanges)}\n\`\`\``);
    });

    it('1. looks the group up by displayName with members excluded: none', async () => {
      const res = await f.scim.get(`Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
      expect({ status: res.status, body: res.body as unknown }).toEqual({ status: 200, body: EMPTY_LIST });
    });

    it('2. creates it (the ADSCIM extension schema in the body is accepted)', async () => {
      const res = await f.scim.post('Groups', { externalId: 'a1b2c3d4-entra-object-id', displayName, members: [], schemas: [GROUP_SCHEMA, ENTRA_GROUP_EXTENSION] });
      expect(res.status).toBe(201);
      id = (res.body as ScimGroupJson).id;
      expect(res.headers.location).toBe(`${PUBLIC_URL}/scim/v2/${f.tenant.slug}/Groups/${id}`);
      expect(res.body).toMatchObject({ displayName, externalId: 'a1b2c3d4-entra-object-id', members: [] });
    });

    it('3. adds the members in one batch', async () => {
      const res = await f.scim.patch(`Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) }],
      });
      expect(res.status).toBe(204);
      expect(await memberIds(f.scim, id)).toEqual([...users].sort());
    });

    it('4. renames it', async () => {
      const res = await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: `${displayName} (EMEA)` }] });
      expect(res.status).toBe(204);
      const read = await f.scim.get(`Groups/${id}?excludedAttributes=members`);
      expect(read.body).toMatchObject({ id, displayName: `${displayName} (EMEA)` });
      expect(read.body.members).toBeUndefined();
    });

    it('5. removes a member (without the flag: a value list)', async () => {
      const res = await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[0] }] }] });
      expect(res.status).toBe(204);
    });

    it('6. removes a member (aadOptscim062020: a value filter in the path)', async () => {
      const res = await f.scim.patch(`Groups/${id}?aadOptscim062020`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${users[1]}"]` }] });
      expect(res.status).toBe(204);
      const read = await f.scim.get(`Groups/${id}`);
      expect((read.body as ScimGroupJson).members!.map((m) => m.value).sort()).toEqual([users[2]!, users[3]!].sort());
    });

    it('7. deletes it: 204, then 404; its users stay', async () => {
      expect((await f.scim.delete(`Groups/${id}`)).status).toBe(204);
      const gone = await f.scim.get(`Groups/${id}`);
      expect({ status: gone.status, body: gone.body as unknown }).toEqual({ status: 404, body: scimError(404) });
      expect((await f.scim.get(`Users/${users[0]}?attributes=active`)).body).toMatchObject({ active: true });
    });
  });

  describe('Okta: "Push Groups"', () => {
    let f: ScimTenantFixture;
    let users: string[];
    let id: string;
    const displayName = `Engineering ${randomUUID().slice(0, 6)}`;
    beforeAll(async () => {
      f = await createScimTenant(t);
      users = await createScimUsers(f.scim, 4, 'okta.member');
      f.scim.exchanges.length = 0;
    });
    afterAll(() => {
      sections.push(`## Okta Group Push cycle\n\n\`\`\`http\n${transcript(f.scim.exchanges)}\n\`\`\``);
    });

    it('1. looks for the group by name: none', async () => {
      const res = await f.scim.get(`Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}&startIndex=1&count=100`);
      expect({ status: res.status, body: res.body as unknown }).toEqual({ status: 200, body: EMPTY_LIST });
    });

    it('2. pushes it with its members', async () => {
      const res = await f.scim.post('Groups', {
        schemas: [GROUP_SCHEMA],
        displayName,
        members: users.slice(0, 2).map((value, i) => ({ value, display: `okta.member${i + 1}@example.com` })),
      });
      expect(res.status).toBe(201);
      id = (res.body as ScimGroupJson).id;
      expect(await memberIds(f.scim, id)).toEqual(users.slice(0, 2).sort());
    });

    it('3. renames it (path-less replace of id and displayName)', async () => {
      const res = await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id, displayName: `${displayName} Team` } }] });
      expect(res.status).toBe(204);
    });

    it('4. adds a member', async () => {
      const res = await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: users[2], display: 'okta.member3@example.com' }] }] });
      expect(res.status).toBe(204);
    });

    it('5. removes a member', async () => {
      const res = await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${users[0]}"]` }] });
      expect(res.status).toBe(204);
    });

    it('6. replaces the whole member list (a push of the full membership)', async () => {
      const res = await f.scim.patch(`Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'members', value: [users[1], users[3]].map((value) => ({ value, display: value })) }],
      });
      expect(res.status).toBe(204);
      const read = await f.scim.get(`Groups/${id}`);
      expect(read.body).toMatchObject({ displayName: `${displayName} Team` });
      expect((read.body as ScimGroupJson).members!.map((m) => m.value).sort()).toEqual([users[1]!, users[3]!].sort());
    });

    it('7. empties it, then deletes it', async () => {
      expect((await f.scim.patch(`Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [] }] })).status).toBe(204);
      expect(await memberIds(f.scim, id)).toEqual([]);
      expect((await f.scim.delete(`Groups/${id}`)).status).toBe(204);
    });
  });
});

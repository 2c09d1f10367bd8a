import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createScimTenant, LIST_RESPONSE, PATCH_OP, scimError, USER_SCHEMA, type ScimExchange, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';

/**
 * Whole identity-provider conversations, replayed request by request with the literal shapes the
 * vendors document (Microsoft Learn "Develop and plan provisioning for a SCIM endpoint" and
 * "Known issues … SCIM 2.0 protocol compliance"; Okta "SCIM 2.0 Protocol Reference"; miniOrange
 * "SCIM Server App"). Set SCIM_TRANSCRIPT_FILE to write the Entra conversation out.
 */
const EMPTY_LIST = { schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] };
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function transcript(exchanges: ScimExchange[]): string {
  return exchanges
    .map((x) => {
      const request = [`${x.method} ${x.path} HTTP/1.1`, 'Authorization: Bearer <SCIM token>'];
      if (x.requestBody !== undefined) request.push('Content-Type: application/scim+json; charset=utf-8', '', JSON.stringify(x.requestBody, null, 2));
      const response = [`HTTP/1.1 ${x.status}`, ...Object.entries(x.headers).map(([k, v]) => `${k}: ${v}`)];
      if (x.responseBody !== undefined) response.push('', JSON.stringify(x.responseBody, null, 2));
      return `${request.join('\n')}\n\n${response.join('\n')}`;
    })
    .join('\n\n----------------------------------------\n\n');
}

describe('identity provider conversations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('Microsoft Entra ID (provisioning service, no feature flag)', () => {
    let f: ScimTenantFixture;
    const userName = `Joy.Young.${randomUUID().slice(0, 6)}@contoso.com`;
    let id: string;

    beforeAll(async () => {
      f = await createScimTenant(t);
    });
    afterAll(() => {
      if (process.env.SCIM_TRANSCRIPT_FILE) writeFileSync(process.env.SCIM_TRANSCRIPT_FILE, `${transcript(f.scim.exchanges)}\n`);
    });

    it('Test Connection: a random GUID userName filter answers 200 with an empty ListResponse', async () => {
      const res = await f.scim.get(`Users?filter=userName+eq+%22${randomUUID()}%22`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(res.body).toEqual(EMPTY_LIST);
    });

    it('provision: GET filter userName eq -> empty -> POST -> 201', async () => {
      const lookup = await f.scim.get(`Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`);
      expect(lookup.status).toBe(200);
      expect(lookup.body).toEqual(EMPTY_LIST);

      const res = await f.scim.post('Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
        name: { formatted: 'Joy Young', familyName: 'Young', givenName: 'Joy' },
        roles: [],
      });
      expect(res.status).toBe(201);
      id = res.body.id as string;
      expect(res.headers.location).toBe(`${PUBLIC_URL}/scim/v2/${f.tenant.slug}/Users/${id}`);
      expect(res.body).toMatchObject({ userName, externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', active: true, name: { givenName: 'Joy', familyName: 'Young' } });
    });

    it('update: GET filter -> PATCH Replace (capitalised ops, read-only and extension paths ignored)', async () => {
      const lookup = await f.scim.get(`Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`);
      expect(lookup.body.totalResults).toBe(1);
      expect(lookup.body.Resources[0].id).toBe(id);

      const res = await f.scim.patch(`Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'displayName', value: 'Joy Young-Smith' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: userName },
          { op: 'Replace', path: 'name.givenName', value: 'Joy' },
          { op: 'Replace', path: 'name.familyName', value: 'Young-Smith' },
          { op: 'Replace', path: 'active', value: 'True' },
          { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: '701984' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, active: true, name: { givenName: 'Joy', familyName: 'Young-Smith' }, displayName: 'Joy Young-Smith', meta: { version: 'W/"2"' } });
    });

    it('deprovision: PATCH Replace active "False"', async () => {
      const res = await f.scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, active: false });
      const still = await f.scim.get(`Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`);
      expect(still.body.Resources[0]).toMatchObject({ id, active: false });
      const audit = await f.admin.get('audit?kind=scim');
      expect((audit.body.items as { action: string; outcome: string }[]).map((e) => `${e.action}:${e.outcome}`)).toEqual([
        'user.deactivate:success',
        'user.update:success',
        'user.create:success',
      ]);
    });
  });

  describe('Microsoft Entra ID with ?aadOptscim062020 (RFC-compliant PATCH)', () => {
    it('provisions, updates with a path-less dotted-key replace, disables with a real boolean, deletes, provisions again', async () => {
      const f = await createScimTenant(t);
      const userName = `kkom.${randomUUID().slice(0, 6)}@contoso.com`;
      const lookup = await f.scim.get(`Users?aadOptscim062020&filter=userName+eq+%22${encodeURIComponent(userName)}%22`);
      expect(lookup.body).toEqual(EMPTY_LIST);
      const created = await f.scim.post('Users?aadOptscim062020', {
        schemas: [USER_SCHEMA],
        externalId: 'Eqpj',
        userName,
        active: true,
        name: { familyName: 'Pkqf', givenName: 'Gtfd' },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const byExternalId = await f.scim.get(`Users?aadOptscim062020&filter=externalId+eq+%22Eqpj%22`);
      expect(byExternalId.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

      const updated = await f.scim.patch(`Users/${id}?aadOptscim062020`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
          { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } },
          { op: 'add', path: 'nickName', value: 'Babs' },
        ],
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ userName, name: { givenName: 'Kkom', familyName: 'Unua' }, displayName: 'Bjfe', emails: [{ value: userName }] });

      const disabled = await f.scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(disabled.body.active).toBe(false);
      const enabled = await f.scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
      expect(enabled.body.active).toBe(true);

      const deleted = await f.scim.delete(`Users/${id}`);
      expect(deleted.status).toBe(204);
      const gone = await f.scim.get(`Users/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual(scimError(404, undefined, `Resource ${id} not found`));
      expect((await f.scim.get(`Users?aadOptscim062020&filter=userName+eq+%22${encodeURIComponent(userName)}%22`)).body).toEqual(EMPTY_LIST);

      // Assigned to the app again: Entra looks the user up (not found) and POSTs it; the same user comes back.
      const again = await f.scim.post('Users?aadOptscim062020', { schemas: [USER_SCHEMA], externalId: 'Eqpj', userName, active: true, name: { familyName: 'Pkqf', givenName: 'Gtfd' } });
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ id, userName, active: true, displayName: 'Gtfd Pkqf' });
    });
  });

  describe('Okta (custom app integration: updates and deactivation by PUT)', () => {
    it('GET filter -> POST with password and groups -> GET id -> PUT update -> PUT deactivate -> PATCH replace active', async () => {
      const f = await createScimTenant(t);
      const userName = `test.user.${randomUUID().slice(0, 6)}@okta.local`;
      const exists = await f.scim.get(`Users?filter=userName%20eq%20%22${encodeURIComponent(userName)}%22&startIndex=1&count=100`);
      expect(exists.status).toBe(200);
      expect(exists.body).toEqual(EMPTY_LIST);

      const okta = {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: userName, type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      };
      const created = await f.scim.post('Users', okta);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({ userName, externalId: '00ujl29u0le5T6Aj10h7', active: true });
      expect(created.body).not.toHaveProperty('password');
      expect(created.body).not.toHaveProperty('groups');

      const again = await f.scim.post('Users', okta);
      expect(again.status).toBe(409);
      expect(again.body).toEqual(scimError(409, 'uniqueness'));

      const fetched = await f.scim.get(`Users/${id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);

      const put = (active: boolean, givenName: string) =>
        f.scim.put(`Users/${id}`, {
          schemas: [USER_SCHEMA],
          id,
          userName,
          name: { givenName, middleName: 'Excited', familyName: 'User' },
          emails: [{ primary: true, value: userName, type: 'work', display: userName }],
          active,
          groups: [],
          password: 'another-placeholder',
          meta: { resourceType: 'User' },
        });
      const updated = await put(true, 'Another');
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ id, active: true, name: { givenName: 'Another', familyName: 'User' }, externalId: '00ujl29u0le5T6Aj10h7' });

      const deactivated = await put(false, 'Another');
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.active).toBe(false);

      const reactivated = await f.scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
      expect(reactivated.status).toBe(200);
      expect(reactivated.body.active).toBe(true);
      const oin = await f.scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(oin.status).toBe(200);
      expect(oin.body.active).toBe(false);

      const imported = await f.scim.get('Users?startIndex=1&count=100');
      expect(imported.body).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      expect(typeof imported.body.totalResults).toBe('number');
      const admin = await f.admin.get(`users/${id}`);
      expect(admin.body).toMatchObject({ source: 'scim', licenses: [], active: false });
    });
  });

  describe('miniOrange (required attributes: givenName, familyName, userName, displayName, emails)', () => {
    it('creates with every required attribute, updates by PUT and PATCH replace, deletes (gone for SCIM, kept as removed)', async () => {
      const f = await createScimTenant(t);
      const userName = `mo.${randomUUID().slice(0, 6)}@example.org`;
      const body = {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: 'Mini', familyName: 'Orange' },
        displayName: 'Mini Orange',
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      };
      const created = await f.scim.post('Users', body);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({ userName, displayName: 'Mini Orange', emails: [{ value: userName, type: 'work', primary: true }], active: true });

      const lookup = await f.scim.get(`Users?filter=userName%20eq%20%22${encodeURIComponent(userName)}%22`);
      expect(lookup.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

      const put = await f.scim.put(`Users/${id}`, { ...body, name: { givenName: 'Mandarin', familyName: 'Orange' }, displayName: 'Mandarin Orange' });
      expect(put.body).toMatchObject({ name: { givenName: 'Mandarin', familyName: 'Orange' }, displayName: 'Mandarin Orange' });
      const patch = await f.scim.patch(`Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'name.familyName', value: 'Tangerine' },
          { op: 'replace', path: 'displayName', value: 'ignored' },
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'ignored@example.org' },
        ],
      });
      expect(patch.body).toMatchObject({ name: { givenName: 'Mandarin', familyName: 'Tangerine' }, displayName: 'ignored', emails: [{ value: userName }] });

      const deleted = await f.scim.delete(`Users/${id}`);
      expect(deleted.status).toBe(204);
      const after = await f.scim.get(`Users/${id}`);
      expect(after.status).toBe(404);
      expect(after.body).toEqual(scimError(404, undefined, `Resource ${id} not found`));
      expect((await f.admin.get(`users/${id}`)).body).toMatchObject({ active: false, scimRemoved: true });
    });
  });
});

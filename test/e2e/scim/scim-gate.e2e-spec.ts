import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { uniqueSlug } from '../../factories/tenant.factory.js';
import { createScimTenant, LIST_RESPONSE, ScimClient, scimError, setSamlState, USER_SCHEMA, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';

const SCIM_JSON = /^application\/scim\+json/;

describe('SCIM gate, discovery and error format', () => {
  let t: TestApp;
  let a: ScimTenantFixture;
  let b: ScimTenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createScimTenant(t);
    b = await createScimTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  function expect401(res: request.Response) {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.headers['content-type']).toMatch(SCIM_JSON);
    expect(res.body).toEqual(scimError(401));
  }

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate: Bearer for a missing, malformed or wrong token', async () => {
      const base = `/scim/v2/${a.tenant.slug}/Users`;
      expect401(await request(t.http).get(base));
      expect401(await request(t.http).get(base).set('authorization', `Basic ${Buffer.from('x:y').toString('base64')}`));
      expect401(await request(t.http).get(base).set('authorization', 'Bearer'));
      expect401(await request(t.http).get(base).set('authorization', `Bearer ${a.settings.token!}x`));
      expect401(await request(t.http).get(base).set('authorization', `Bearer ${'A'.repeat(43)}`));
      expect401(await request(t.http).get(base).set('authorization', `Bearer ${'A'.repeat(5000)}`));
      expect401(await request(t.http).post(base).set('content-type', 'application/scim+json').send(JSON.stringify({ userName: 'x@y.com' })));
    });

    it('answers 401 for an unknown tenant, or a slug that cannot be one', async () => {
      expect401(await new ScimClient(t, uniqueSlug(), a.settings.token!).get('Users'));
      expect401(await new ScimClient(t, 'NOT_A_SLUG', a.settings.token!).get('Users'));
    });

    it("answers 401 to tenant A's token on tenant B's URL (and the reverse)", async () => {
      expect401(await new ScimClient(t, b.tenant.slug, a.settings.token!).get('Users'));
      expect401(await new ScimClient(t, a.tenant.slug, b.settings.token!).post('Users', { userName: 'x@y.com', name: { givenName: 'X', familyName: 'Y' } }));
      expect((await a.scim.get('Users')).status).toBe(200);
      expect((await b.scim.get('Users')).status).toBe(200);
    });

    it('accepts the scheme name in any case', async () => {
      const res = await request(t.http).get(`/scim/v2/${a.tenant.slug}/Users`).set('authorization', `bearer ${a.settings.token!}`);
      expect(res.status).toBe(200);
    });

    it('answers 403 saying SCIM needs SAML when SAML is disabled (or has no certificate), after checking the token', async () => {
      const c = await createScimTenant(t);
      await setSamlState(t, c.tenant.id, { enabled: false, certificates: true });
      const res = await c.scim.get('Users');
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toEqual(scimError(403, undefined, expect.stringMatching(/SCIM provisioning needs SAML/)));
      expect401(await new ScimClient(t, c.tenant.slug, 'wrong-token').get('Users'));

      await setSamlState(t, c.tenant.id, { enabled: true, certificates: false });
      const noCert = await c.scim.post('Users', { userName: 'n@example.com', name: { givenName: 'N', familyName: 'C' } });
      expect(noCert.status).toBe(403);
      expect(noCert.body).toEqual(scimError(403, undefined, expect.stringMatching(/SAML/)));

      await setSamlState(t, c.tenant.id);
      expect((await c.scim.get('Users')).status).toBe(200);
    });

    it('never writes a token to the log', async () => {
      await a.scim.get('Users?filter=userName+eq+%22nobody%40example.com%22');
      await new ScimClient(t, a.tenant.slug, `${a.settings.token!}-wrong`).get('Users');
      const logs = t.logs.join('\n');
      expect(logs).toContain('scim request refused');
      expect(logs).not.toContain(a.settings.token!);
      expect(logs).not.toContain(b.settings.token!);
    });
  });

  describe('discovery (behind the same gate)', () => {
    const base = () => `${PUBLIC_URL}/scim/v2/${a.tenant.slug}`;

    it('GET /ServiceProviderConfig tells what is implemented, with the count cap as filter.maxResults', async () => {
      const res = await a.scim.get('ServiceProviderConfig');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toEqual({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: 200 },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: true },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken', primary: true })],
        pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: 200, cursorTimeout: 3600 },
        meta: { resourceType: 'ServiceProviderConfig', location: `${base()}/ServiceProviderConfig` },
      });
      expect401(await new ScimClient(t, a.tenant.slug, 'nope').get('ServiceProviderConfig'));
    });

    it('GET /ResourceTypes lists User; /ResourceTypes/User is the single object; others 404', async () => {
      const list = await a.scim.get('ResourceTypes');
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      const user = {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: USER_SCHEMA,
        meta: { resourceType: 'ResourceType', location: `${base()}/ResourceTypes/User` },
      };
      expect(list.body.Resources).toEqual([user]);
      const one = await a.scim.get('ResourceTypes/User');
      expect(one.status).toBe(200);
      expect(one.body).toEqual(user);
      const group = await a.scim.get('ResourceTypes/Group');
      expect(group.status).toBe(404);
      expect(group.body).toEqual(scimError(404));
    });

    it('GET /Schemas describes each supported attribute (type, mutability, required, caseExact, uniqueness)', async () => {
      const list = await a.scim.get('Schemas?filter=anything');
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, itemsPerPage: 1 });
      const schema = list.body.Resources[0];
      expect(schema).toMatchObject({ id: USER_SCHEMA, name: 'User', meta: { resourceType: 'Schema', location: `${base()}/Schemas/${USER_SCHEMA}` } });
      const attrs = Object.fromEntries((schema.attributes as { name: string; subAttributes?: unknown[] }[]).map((x) => [x.name, x]));
      expect(Object.keys(attrs)).toEqual(['userName', 'name', 'displayName', 'active', 'emails']);
      expect(attrs.userName).toMatchObject({ type: 'string', required: true, caseExact: false, mutability: 'readWrite', uniqueness: 'server' });
      expect(attrs.displayName).toMatchObject({ type: 'string', mutability: 'readWrite', required: false });
      expect(attrs.active).toMatchObject({ type: 'boolean', mutability: 'readWrite' });
      expect(attrs.emails).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
      expect(attrs.name!.subAttributes).toEqual([
        expect.objectContaining({ name: 'givenName', required: true, mutability: 'readWrite', caseExact: false, uniqueness: 'none' }),
        expect.objectContaining({ name: 'familyName', required: true, mutability: 'readWrite', caseExact: false, uniqueness: 'none' }),
      ]);
      const one = await a.scim.get(`Schemas/${USER_SCHEMA}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(schema);
      const ext = await a.scim.get('Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
      expect(ext.status).toBe(404);
      expect(ext.body).toEqual(scimError(404));
    });
  });

  describe('errors are RFC 7644 errors in application/scim+json, whatever fails', () => {
    it('unknown routes under /scim are 404', async () => {
      for (const path of [`/scim/v2/${a.tenant.slug}/Nope`, '/scim/v2', '/scim', `/scim/v1/${a.tenant.slug}/Users`]) {
        const res = await request(t.http).get(path).set('authorization', `Bearer ${a.settings.token!}`);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(SCIM_JSON);
        expect(res.body).toEqual(scimError(404));
      }
    });

    it('router failures (a malformed %-escape in the path) are SCIM errors too', async () => {
      const res = await request(t.http).get(`/scim/v2/${a.tenant.slug}/Users/%E0%A4%A`).set('authorization', `Bearer ${a.settings.token!}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toEqual(scimError(400, 'invalidSyntax'));
    });

    it('/Groups and /Bulk are 501 (Users only, no bulk)', async () => {
      for (const [method, path] of [
        ['GET', 'Groups'],
        ['GET', 'Groups?filter=displayName+eq+%22x%22'],
        ['POST', 'Groups'],
        ['PATCH', 'Groups/0b6cd8a1-8b6c-4f1b-9f0e-2b1c9f2d6a11'],
        ['POST', 'Bulk'],
      ] as const) {
        const res = await a.scim.send(method, path, method === 'GET' ? undefined : { schemas: [] });
        expect(res.status).toBe(501);
        expect(res.headers['content-type']).toMatch(SCIM_JSON);
        expect(res.body).toEqual(scimError(501));
      }
    });

    it('malformed JSON is 400 invalidSyntax; an empty JSON body too', async () => {
      for (const raw of ['{"userName":', '{not json}', '']) {
        const res = await a.scim.send('POST', 'Users', raw);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(SCIM_JSON);
        expect(res.body).toEqual(scimError(400, 'invalidSyntax', 'The request body is not valid JSON'));
      }
    });

    it('prototype-poisoning bodies are refused with 400', async () => {
      const res = await a.scim.send('POST', 'Users', '{"userName":"p@example.com","__proto__":{"admin":true},"name":{"givenName":"P","familyName":"Q"}}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(scimError(400, 'invalidSyntax'));
    });

    it('a body over the limit is 413', async () => {
      const res = await a.scim.post('Users', { userName: 'big@example.com', name: { givenName: 'B', familyName: 'G' }, padding: 'x'.repeat(1_200_000) });
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
      expect(res.body).toEqual(scimError(413));
    });

    it('a content type that is not JSON is 415; application/json is accepted like application/scim+json', async () => {
      const text = await request(t.http)
        .post(`/scim/v2/${a.tenant.slug}/Users`)
        .set('authorization', `Bearer ${a.settings.token!}`)
        .set('content-type', 'text/xml')
        .send('<user/>');
      expect(text.status).toBe(415);
      expect(text.body).toEqual(scimError(415));
      const json = new ScimClient(t, a.tenant.slug, a.settings.token!, 'application/json');
      const res = await json.post('Users', { userName: 'plainjson@example.com', name: { givenName: 'Plain', familyName: 'Json' } });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(SCIM_JSON);
    });

    it('an unexpected failure is 500 with no stack or SQL', async () => {
      const c = await createScimTenant(t);
      // Break the audit table for this tenant's writes: the insert then fails inside the transaction.
      await t.app.get((await import('typeorm')).DataSource).query('ALTER TABLE audit_events ADD CONSTRAINT scim_test_break CHECK (kind <> \'scim\') NOT VALID');
      try {
        const res = await c.scim.post('Users', { userName: 'boom@example.com', name: { givenName: 'B', familyName: 'Oom' } });
        expect(res.status).toBe(500);
        expect(res.headers['content-type']).toMatch(SCIM_JSON);
        expect(res.body).toEqual(scimError(500, undefined, expect.stringMatching(/^An unexpected error occurred \(request id [^)]+\)$/)));
        expect(res.text).not.toMatch(/audit_events|constraint|INSERT|at .*\.ts/i);
      } finally {
        await t.app.get((await import('typeorm')).DataSource).query('ALTER TABLE audit_events DROP CONSTRAINT scim_test_break');
      }
      const lookup = await c.scim.get('Users?filter=userName+eq+%22boom%40example.com%22');
      expect(lookup.body.totalResults).toBe(0);
    });
  });
});

describe('SCIM rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SCIM_RATE_LIMIT_PER_SECOND: '1', SCIM_RATE_LIMIT_BURST: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with Retry-After once a tenant spends its bucket; other tenants are unaffected', async () => {
    const a = await createScimTenant(t);
    const b = await createScimTenant(t);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await a.scim.get('Users')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await a.scim.get('Users');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['content-type']).toMatch(SCIM_JSON);
    expect(limited.body).toEqual(scimError(429, undefined, expect.stringContaining('retry after 1 s')));
    expect((await b.scim.get('Users')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await a.scim.get('Users')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { tenantBody, uniqueSlug } from '../factories/tenant.factory.js';
import { login } from '../factories/session.factory.js';
import { queryDatabase } from '../utils/test-database.js';
import { OPERATOR_TOKEN, startTestApp, type TestApp } from '../utils/test-app.js';

describe('operator API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: unknown, token = OPERATOR_TOKEN) =>
    request(t.http).post('/api/operator/tenants').set('authorization', `Bearer ${token}`).send(body as object);

  it('creates a tenant with its first System Admin, who can sign in', async () => {
    const body = tenantBody();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), slug: body.slug, name: body.name });

    const signIn = await login(t, body.slug, body.admin.email, body.admin.password);
    expect(signIn.status).toBe(200);
    expect(signIn.body.user).toMatchObject({ email: body.admin.email, role: 'system_admin', active: true, source: 'manual', licenses: [] });

    const audit = await queryDatabase<{ action: string; actor: string }>(t.db, "SELECT action, actor FROM audit_events WHERE action = 'tenant.create' AND target = $1", [body.slug]);
    expect(audit).toEqual([{ action: 'tenant.create', actor: 'operator' }]);
  });

  it('answers 409 slug_taken for a slug in use, and creates nothing', async () => {
    const body = tenantBody();
    expect((await post(body)).status).toBe(201);
    const again = await post({ ...body, admin: { ...body.admin, email: 'other@x.test' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'slug_taken', message: expect.stringContaining(body.slug), field: 'slug' });
    const users = await queryDatabase(t.db, "SELECT 1 FROM users WHERE email = 'other@x.test'");
    expect(users).toHaveLength(0);
  });

  it.each([
    ['slug', { slug: 'Not A Slug' }],
    ['slug', { slug: '-leading-hyphen' }],
    ['slug', { slug: 'a'.repeat(41) }],
    ['name', { name: '' }],
    ['admin.email', { admin: { email: 'not-an-email' } }],
    ['admin.password', { admin: { password: 'short' } }],
    ['admin.givenName', { admin: { givenName: '' } }],
    ['admin.familyName', { admin: { familyName: 42 } }],
  ])('answers 400 naming %s when it is invalid', async (field, override) => {
    const base = tenantBody();
    const body = { ...base, ...override, admin: { ...base.admin, ...((override as { admin?: object }).admin ?? {}) } };
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'validation_failed', message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')} `)), field });
  });

  it('answers 400 when admin is missing or the body is not an object', async () => {
    const { admin: _admin, ...noAdmin } = tenantBody();
    const res = await post(noAdmin);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', field: 'admin' });

    const arr = await post([1, 2]);
    expect(arr.status).toBe(400);
    expect(arr.body).toEqual({ error: 'validation_failed', message: 'The request body must be a JSON object', field: 'body' });

    const broken = await request(t.http)
      .post('/api/operator/tenants')
      .set('authorization', `Bearer ${OPERATOR_TOKEN}`)
      .set('content-type', 'application/json')
      .send('{"slug":');
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: 'invalid_json', message: 'The request body is not valid JSON' });
  });

  it('answers 401 with a wrong or missing operator token', async () => {
    const wrong = await post(tenantBody(), 'not-the-operator-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'unauthenticated', message: expect.any(String) });
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    const missing = await request(t.http).post('/api/operator/tenants').send(tenantBody());
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('unauthenticated');
  });

  it('unenforce turns Enforce SAML Login off (break-glass) and 404s for an unknown tenant', async () => {
    const body = tenantBody();
    const created = await post(body);
    await queryDatabase(t.db, 'UPDATE tenant_security_settings SET saml_enabled = true, saml_enforce_login = true WHERE tenant_id = $1', [created.body.id]);
    const refused = await login(t, body.slug, body.admin.email, body.admin.password);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('saml_enforced');

    const res = await request(t.http).post(`/api/operator/tenants/${body.slug}/saml/unenforce`).set('authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: body.slug, enforceLogin: false, wasEnforced: true });
    expect((await login(t, body.slug, body.admin.email, body.admin.password)).status).toBe(200);

    const unknown = await request(t.http).post(`/api/operator/tenants/${uniqueSlug()}/saml/unenforce`).set('authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('tenant_not_found');
  });
});

describe('operator API without OPERATOR_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OPERATOR_TOKEN: '' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('does not exist: 404 whatever the token', async () => {
    const res = await request(t.http).post('/api/operator/tenants').set('authorization', `Bearer ${OPERATOR_TOKEN}`).send(tenantBody());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'Not found' });
    const unenforce = await request(t.http).post('/api/operator/tenants/acme/saml/unenforce');
    expect(unenforce.status).toBe(404);
  });
});

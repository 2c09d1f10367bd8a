import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { createUser, signIn, type Session } from '../factories/session.factory.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('users admin API and licenses', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let beta: TenantFixture;
  let admin: Session;
  let betaAdmin: Session;

  beforeAll(async () => {
    t = await startTestApp();
    acme = await createTenant(t);
    beta = await createTenant(t);
    admin = await signIn(t, acme.slug, acme.admin.email, acme.admin.password);
    betaAdmin = await signIn(t, beta.slug, beta.admin.email, beta.admin.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the license catalogue', async () => {
    const res = await admin.get('licenses');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { key: 'crm', name: 'CRM' },
      { key: 'marketing', name: 'Marketing' },
      { key: 'service', name: 'Service' },
    ]);
  });

  it('creates a manual user, then 409 email_taken for the same email in another case', async () => {
    const res = await admin.post('users', { email: 'Grace@Example.test', givenName: 'Grace', familyName: 'Hopper' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: 'Grace@Example.test',
      givenName: 'Grace',
      familyName: 'Hopper',
      active: true,
      role: 'user',
      licenses: [],
      source: 'manual',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastLoginAt: null,
      scimRemoved: false,
    });
    const dup = await admin.post('users', { email: 'grace@EXAMPLE.test', givenName: 'G', familyName: 'H' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: 'email_taken', message: expect.stringContaining('grace@EXAMPLE.test'), field: 'email' });
  });

  it('validates new users field by field', async () => {
    const bad = await admin.post('users', { email: 'nope', givenName: 'A', familyName: 'B' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'validation_failed', message: 'email must be an email address', field: 'email' });
    const role = await admin.post('users', { email: 'r@example.test', givenName: 'A', familyName: 'B', role: 'root' });
    expect(role.status).toBe(400);
    expect(role.body.field).toBe('role');
    const pw = await admin.post('users', { email: 'p@example.test', givenName: 'A', familyName: 'B', password: 'short' });
    expect(pw.status).toBe(400);
    expect(pw.body).toEqual({ error: 'validation_failed', message: 'password must be at least 10 characters', field: 'password' });
  });

  it('assigns licenses (canonical order, no duplicates) and refuses unknown ones with 400 unknown_license', async () => {
    const user = await createUser(admin, { email: 'lic@example.test' });
    const res = await admin.patch(`users/${user.id}`, { licenses: ['service', 'crm', 'crm'] });
    expect(res.status).toBe(200);
    expect(res.body.licenses).toEqual(['crm', 'service']);
    const bad = await admin.patch(`users/${user.id}`, { licenses: ['crm', 'erp'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'unknown_license', message: expect.stringContaining('"erp"'), field: 'licenses' });
    const after = await admin.get(`users/${user.id}`);
    expect(after.body.licenses).toEqual(['crm', 'service']);
  });

  it('searches and pages users, active and inactive', async () => {
    for (let i = 0; i < 5; i++) await createUser(admin, { email: `pager${i}@example.test`, givenName: `Pager${i}` });
    const first = await admin.get('users?search=PAGER&limit=2&offset=0');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    expect(first.body.items.map((u: { email: string }) => u.email)).toEqual(['pager0@example.test', 'pager1@example.test']);
    const last = await admin.get('users?search=pager&limit=2&offset=4');
    expect(last.body.items.map((u: { email: string }) => u.email)).toEqual(['pager4@example.test']);
    const off = await admin.patch(`users/${first.body.items[0].id}`, { active: false });
    expect(off.body.active).toBe(false);
    expect((await admin.get('users?search=pager')).body.total).toBe(5);
    const bad = await admin.get('users?limit=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('limit');
    const huge = await admin.get('users?offset=100000000000000000000');
    expect(huge.status).toBe(400);
    expect(huge.body).toEqual({ error: 'validation_failed', message: expect.stringContaining('offset'), field: 'offset' });
  });

  it('counts active users without a license over the whole tenant, for the User List banner', async () => {
    const count = async () => ((await betaAdmin.get('users?limit=1')).body as { activeWithoutLicenses: number }).activeWithoutLicenses;
    const before = await count();
    const a = await createUser(betaAdmin, { email: 'nolicense-a@beta.test' });
    const b = await createUser(betaAdmin, { email: 'nolicense-b@beta.test' });
    expect(await count()).toBe(before + 2);
    await betaAdmin.patch(`users/${a.id}`, { licenses: ['crm'] });
    await betaAdmin.patch(`users/${b.id}`, { active: false });
    expect(await count()).toBe(before);
  });

  it('refuses non-admins on admin routes with 403 forbidden', async () => {
    await createUser(admin, { email: 'plain@example.test', password: 'plain-password-1' });
    const plain = await signIn(t, acme.slug, 'plain@example.test', 'plain-password-1');
    for (const res of [await plain.get('users'), await plain.get('audit'), await plain.post('users', { email: 'x@example.test', givenName: 'X', familyName: 'Y' })]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'forbidden', message: 'Only a System Admin can do this' });
    }
    expect((await plain.get('me')).status).toBe(200);
  });

  it("keeps tenants apart: A's admin cannot read or change B, by slug or by id", async () => {
    const betaUser = await createUser(betaAdmin, { email: 'secret@beta.test' });
    // By slug: A's session means nothing on B's URLs.
    const bySlug = await admin.get(`/api/t/${beta.slug}/users`);
    expect(bySlug.status).toBe(401);
    expect(bySlug.body.error).toBe('unauthenticated');
    const writeBySlug = await admin.patch(`/api/t/${beta.slug}/users/${betaUser.id}`, { licenses: ['crm'] });
    expect(writeBySlug.status).toBe(401);
    // By id: B's user does not exist in A.
    const byId = await admin.get(`users/${betaUser.id}`);
    expect(byId.status).toBe(404);
    expect(byId.body).toEqual({ error: 'not_found', message: `No user with id ${betaUser.id} in this tenant` });
    const writeById = await admin.patch(`users/${betaUser.id}`, { licenses: ['crm'] });
    expect(writeById.status).toBe(404);
    expect((await betaAdmin.get(`users/${betaUser.id}`)).body.licenses).toEqual([]);
    expect((await admin.get('users?search=secret')).body.total).toBe(0);
  });

  it('answers 404 (not 500) for a malformed user id', async () => {
    const res = await admin.get('users/not-a-uuid');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('will not remove the last active System Admin', async () => {
    const res = await admin.patch(`users/${admin.user.id}`, { role: 'user' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'last_admin', message: expect.stringContaining('last active System Admin') });
    expect((await admin.get('me')).body.user.role).toBe('system_admin');
  });

  it('lets only one of two admins demoting each other at the same moment succeed', async () => {
    const pair = await createTenant(t);
    const first = await signIn(t, pair.slug, pair.admin.email, pair.admin.password);
    const other = await createUser(first, { email: 'co-admin@example.test', role: 'system_admin', password: 'co-admin-password' });
    const second = await signIn(t, pair.slug, 'co-admin@example.test', 'co-admin-password');
    const results = await Promise.all([first.patch(`users/${other.id}`, { role: 'user' }), second.patch(`users/${first.user.id}`, { role: 'user' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body.error).toBe('last_admin');
  });

  it('records user changes in the audit log, newest first, paged with next', async () => {
    const user = await createUser(admin, { email: 'audited@example.test' });
    await admin.patch(`users/${user.id}`, { licenses: ['marketing'] });
    const page = await admin.get('audit?limit=2&kind=settings');
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([
      expect.objectContaining({ kind: 'settings', action: 'user.update', actor: acme.admin.email, target: 'audited@example.test', outcome: 'success' }),
      expect.objectContaining({ kind: 'settings', action: 'user.create', target: 'audited@example.test', outcome: 'success' }),
    ]);
    expect(page.body.next).toEqual(expect.any(String));
    const next = await admin.get(`audit?limit=2&kind=settings&before=${page.body.next}`);
    expect(next.status).toBe(200);
    expect(Number(next.body.items[0].id)).toBeLessThan(Number(page.body.items[1].id));
    const logins = await admin.get('audit?kind=auth&outcome=success');
    expect(logins.body.items.length).toBeGreaterThan(0);
    expect(logins.body.items.every((e: { kind: string; outcome: string }) => e.kind === 'auth' && e.outcome === 'success')).toBe(true);
    const bad = await admin.get('audit?kind=everything');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('kind');
  });
});

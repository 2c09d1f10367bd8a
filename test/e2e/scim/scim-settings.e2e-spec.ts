import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createTenant } from '../../factories/tenant.factory.js';
import { createUser, signIn, type Session } from '../../factories/session.factory.js';
import { createScimTenant, ScimClient, scimError, setSamlState, type ScimSettingsJson } from '../../utils/scim-fixtures.js';
import { PUBLIC_URL, startTestApp, type TestApp } from '../../utils/test-app.js';
import { queryDatabase } from '../../utils/test-database.js';

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

describe('SCIM settings (PUT /settings/scim, POST /settings/scim/token)', () => {
  let t: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    second = await startTestApp({}, t.db); // another instance on the same database
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  async function adminOf() {
    const tenant = await createTenant(t);
    const admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    return { tenant, admin };
  }
  const scimOf = (admin: Session) => admin.get('settings/security').then((r) => (r.body as { scim: ScimSettingsJson }).scim);

  it('refuses to enable SCIM (409 saml_required) unless SAML is enabled with a certificate, and changes nothing', async () => {
    const { tenant, admin } = await adminOf();
    for (const saml of [
      { enabled: false, certificates: false },
      { enabled: true, certificates: false },
      { enabled: false, certificates: true },
    ]) {
      await setSamlState(t, tenant.id, saml);
      const res = await admin.put('settings/scim', { enabled: true });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: 'saml_required', message: expect.stringContaining('SAML') });
    }
    expect(await scimOf(admin)).toEqual({ enabled: false, url: null, token: null, tokenCreatedAt: null });
    const [row] = await queryDatabase(t.db, 'SELECT scim_enabled, scim_token_hash FROM tenant_security_settings WHERE tenant_id = $1', [tenant.id]);
    expect(row).toEqual({ scim_enabled: false, scim_token_hash: null });
    const audit = await admin.get('audit?kind=settings');
    expect(audit.body.items[0]).toMatchObject({ action: 'scim.enable', outcome: 'failure', reason: expect.stringContaining('saml_required') });
  });

  it('enabling the first time generates a 256-bit token, stored hashed and encrypted, shown with the SCIM URL', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    const before = Date.now();
    const res = await admin.put('settings/scim', { enabled: true });
    expect(res.status).toBe(200);
    expect(res.body.saml).toMatchObject({ enabled: true, certificates: [expect.objectContaining({ keyAlgorithm: 'RSA' })] });
    const scim = res.body.scim as ScimSettingsJson;
    expect(scim).toEqual({ enabled: true, url: `${PUBLIC_URL}/scim/v2/${tenant.slug}`, token: expect.stringMatching(TOKEN_FORMAT), tokenCreatedAt: expect.any(String) });
    expect(Date.parse(scim.tokenCreatedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(await scimOf(admin)).toEqual(scim);

    const [row] = await queryDatabase<{ scim_token_hash: Buffer; scim_token_ciphertext: string }>(
      t.db,
      'SELECT scim_token_hash, scim_token_ciphertext FROM tenant_security_settings WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(row!.scim_token_hash.equals(createHash('sha256').update(scim.token!).digest())).toBe(true);
    expect(row!.scim_token_ciphertext).toMatch(/^v1\./);
    expect(row!.scim_token_ciphertext).not.toContain(scim.token);

    const client = new ScimClient(t, tenant.slug, scim.token!);
    expect((await client.get('Users')).status).toBe(200);
  });

  it('disabling keeps the token but every SCIM request answers 401; enabling again brings the same token back', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    const first = (await admin.put('settings/scim', { enabled: true })).body.scim as ScimSettingsJson;
    const client = new ScimClient(t, tenant.slug, first.token!);

    const off = await admin.put('settings/scim', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.scim).toEqual({ ...first, enabled: false });
    const refused = await client.get('Users');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(refused.body).toEqual(scimError(401));

    const on = await admin.put('settings/scim', { enabled: true });
    expect(on.body.scim).toEqual(first);
    expect((await client.get('Users')).status).toBe(200);
  });

  it('disabling is allowed without SAML (so an admin can always switch provisioning off)', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    await admin.put('settings/scim', { enabled: true });
    await setSamlState(t, tenant.id, { enabled: false, certificates: false });
    const res = await admin.put('settings/scim', { enabled: false });
    expect(res.status).toBe(200);
    expect(res.body.scim.enabled).toBe(false);
  });

  it('regenerating replaces the token: the old one fails on the very next request, on every instance', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    const old = ((await admin.put('settings/scim', { enabled: true })).body.scim as ScimSettingsJson).token!;
    const onFirst = new ScimClient(t, tenant.slug, old);
    const onSecond = new ScimClient(second, tenant.slug, old);
    expect((await onFirst.get('Users')).status).toBe(200);
    expect((await onSecond.get('Users')).status).toBe(200);

    const res = await admin.post('settings/scim/token');
    expect(res.status).toBe(200);
    const fresh = res.body.scim as ScimSettingsJson;
    expect(fresh).toEqual({ enabled: true, url: `${PUBLIC_URL}/scim/v2/${tenant.slug}`, token: expect.stringMatching(TOKEN_FORMAT), tokenCreatedAt: expect.any(String) });
    expect(fresh.token).not.toBe(old);

    for (const client of [onSecond, onFirst]) {
      const refused = await client.get('Users');
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.body).toEqual(scimError(401));
    }
    expect((await new ScimClient(second, tenant.slug, fresh.token!).get('Users')).status).toBe(200);
    expect((await new ScimClient(t, tenant.slug, fresh.token!).get('Users')).status).toBe(200);
  });

  it('concurrent regenerations serialise on the settings row: exactly the last stored token works', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    await admin.put('settings/scim', { enabled: true });
    const results = await Promise.all(Array.from({ length: 6 }, () => admin.post('settings/scim/token')));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const tokens = results.map((r) => (r.body.scim as ScimSettingsJson).token!);
    expect(new Set(tokens).size).toBe(6);
    const current = (await scimOf(admin)).token!;
    expect(tokens).toContain(current);
    const statuses = await Promise.all(tokens.map((token) => new ScimClient(t, tenant.slug, token).get('Users').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses[tokens.indexOf(current)]).toBe(200);
  });

  it('regenerating before SCIM was ever enabled is 409 scim_not_enabled', async () => {
    const { admin } = await adminOf();
    const res = await admin.post('settings/scim/token');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'scim_not_enabled', message: expect.stringContaining('Enable SCIM') });
    expect((await scimOf(admin)).token).toBeNull();
  });

  it('is System Admin only, needs CSRF, and validates the body', async () => {
    const { tenant, admin } = await adminOf();
    await setSamlState(t, tenant.id);
    await createUser(admin, { email: `plain@${tenant.slug}.test`, password: 'correct horse battery staple' });
    const user = await signIn(t, tenant.slug, `plain@${tenant.slug}.test`, 'correct horse battery staple');
    for (const res of [await user.put('settings/scim', { enabled: true }), await user.post('settings/scim/token')]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'forbidden', message: expect.any(String) });
    }
    const bad = await admin.put('settings/scim', { enabled: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_failed', field: 'enabled' });
    const missing = await admin.put('settings/scim', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'validation_failed', field: 'enabled' });
    const csrf = await request(t.http).put(`/api/t/${tenant.slug}/settings/scim`).set('cookie', admin.cookie).send({ enabled: true });
    expect(csrf.status).toBe(403);
    expect(csrf.body.error).toBe('csrf');
    expect((await scimOf(admin)).enabled).toBe(false);
  });

  it('writes settings audit records without the token, and never logs it', async () => {
    const { admin, settings, tenant } = await createScimTenant(t);
    const regenerated = ((await admin.post('settings/scim/token')).body.scim as ScimSettingsJson).token!;
    await admin.put('settings/scim', { enabled: false });
    const res = await admin.get('audit?kind=settings');
    expect(res.status).toBe(200);
    const actions = (res.body.items as { action: string; actor: string; outcome: string; target: string }[]).map((e) => [e.action, e.outcome, e.actor, e.target]);
    expect(actions.slice(0, 3)).toEqual([
      ['scim.disable', 'success', tenant.admin.email, tenant.slug],
      ['scim.token.regenerate', 'success', tenant.admin.email, tenant.slug],
      ['scim.enable', 'success', tenant.admin.email, tenant.slug],
    ]);
    const rows = await queryDatabase(t.db, 'SELECT * FROM audit_events WHERE tenant_id = $1', [tenant.id]);
    const dump = JSON.stringify(rows);
    for (const token of [settings.token!, regenerated]) {
      expect(dump).not.toContain(token);
      expect(t.logs.join('\n')).not.toContain(token);
    }
  });
});

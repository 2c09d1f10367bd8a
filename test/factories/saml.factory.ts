import { expect } from '@jest/globals';
import request from 'supertest';
import { createUser, signIn, type Session } from './session.factory.js';
import { createTenant, type TenantFixture } from './tenant.factory.js';
import { PUBLIC_URL, type TestApp } from '../utils/test-app.js';
import { queryDatabase } from '../utils/test-database.js';

export function acsUrl(slug: string): string {
  return `${PUBLIC_URL}/saml/${slug}/acs`;
}

/** Uploads a certificate (JSON) and enables SAML, as a System Admin does in the console. */
export async function setUpSaml(admin: Session, certPem: string | string[], options: { enforce?: boolean } = {}): Promise<void> {
  const pems = ([] as string[]).concat(certPem);
  const upload = await admin.post('settings/saml/certificate', { certificate: pems.join('\n') });
  if (upload.status !== 200) throw new Error(`certificate upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  const enable = await admin.put('settings/saml', { enabled: true, enforceLogin: options.enforce ?? false });
  if (enable.status !== 200) throw new Error(`enabling SAML failed: ${enable.status} ${JSON.stringify(enable.body)}`);
}

/** A new tenant with SAML on, trusting `certPem`, and one active user `email`: the usual ACS setup. */
export async function createSamlTenant(t: TestApp, certPem: string | string[], email: string): Promise<{ tenant: TenantFixture; admin: Session; acs: string }> {
  const tenant = await createTenant(t);
  const admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
  await createUser(admin, { email });
  await setUpSaml(admin, certPem);
  return { tenant, admin, acs: acsUrl(tenant.slug) };
}

/** The IdP's auto-submitted form POST to the ACS (cross-site: Origin null, no cookie, no CSRF token). */
export function postAcs(t: TestApp, slug: string, samlResponse: string, relayState?: string) {
  const form: Record<string, string> = { SAMLResponse: samlResponse };
  if (relayState !== undefined) form.RelayState = relayState;
  return request(t.http).post(`/saml/${slug}/acs`).set('origin', 'null').type('form').send(form);
}

type Res = { status: number; headers: Record<string, unknown>; text: string };

/** A refused sign-in: the status, an HTML page saying `text`, and no session cookie. */
export function expectRefused(res: Res, status: number, text: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  if (typeof text === 'string') expect(res.text).toContain(text);
  else expect(res.text).toMatch(text);
  expect(res.headers['set-cookie']).toBeUndefined();
}

/** A successful sign-in: 302 to `location` with a fresh session cookie; returns the cookie pair. */
export function expectSignedIn(res: Res, location: string): string {
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe(location);
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  const session = cookies.find((c) => c.startsWith('latchkey_session='));
  expect(session).toBeDefined();
  expect(session).toContain('HttpOnly');
  expect(session).toContain('SameSite=Lax');
  return session!.split(';')[0]!;
}

export interface SamlAuditRow {
  actor: string | null;
  target: string | null;
  outcome: string;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** The saml_login audit row of a tenant written last (a coalesced row shows its newest occurrence). */
export async function lastSamlAudit(t: TestApp, tenantId: string): Promise<SamlAuditRow> {
  const rows = await queryDatabase<SamlAuditRow>(
    t.db,
    "SELECT actor, target, outcome, reason, details FROM audit_events WHERE tenant_id = $1 AND kind = 'saml_login' ORDER BY coalesce(last_at, at) DESC, id DESC LIMIT 1",
    [tenantId],
  );
  if (!rows[0]) throw new Error('no saml_login audit row');
  return rows[0];
}

/** Uploads a file as the console does (multipart field "file"). */
export function uploadCertificateFile(t: TestApp, admin: Session, data: Buffer | string, filename: string, field = 'file') {
  return request(t.http)
    .post(`/api/t/${admin.slug}/settings/saml/certificate`)
    .set('cookie', admin.cookie)
    .set('x-csrf-token', admin.csrfToken)
    .attach(field, Buffer.from(data), filename);
}

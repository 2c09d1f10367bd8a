import { expect } from '@jest/globals';
import request from 'supertest';
import { SECURITY_SETTINGS_CHANNEL } from '../../src/tenancy/security-settings-changes.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { signIn, type Session } from '../factories/session.factory.js';
import { acsUrl, postAcs, setUpSaml } from '../factories/saml.factory.js';
import { buildIdpResponse } from './fake-idp.js';
import { generateTestCertificate, type TestCertificate } from './certificates.js';
import type { TestApp } from './test-app.js';
import { queryDatabase } from './test-database.js';

let certificatePem: string | undefined;

/** One IdP certificate per test file (openssl is slow enough to matter when called per test). */
function certificate(): string {
  certificatePem ??= generateTestCertificate({ cn: 'SCIM gate test IdP' }).certPem;
  return certificatePem;
}

/**
 * "SAML is set up" without the SAML module: the settings row as the SAML settings API would leave
 * it (enabled, one uploaded certificate). `enabled: false` or `certificates: false` undo a part.
 */
export async function setSamlState(t: TestApp, tenantId: string, state: { enabled: boolean; certificates: boolean } = { enabled: true, certificates: true }): Promise<void> {
  const certificates = state.certificates ? JSON.stringify([{ pem: certificate() }]) : '[]';
  // With the change notice the application sends (SecuritySettingsRepository.save), so SCIM gate caches drop the tenant.
  await queryDatabase(
    t.db,
    `WITH changed AS (UPDATE tenant_security_settings SET saml_enabled = $2, saml_certificates = $3::jsonb WHERE tenant_id = $1 RETURNING tenant_id)
     SELECT pg_notify($4, tenant_id::text) FROM changed`,
    [tenantId, state.enabled, certificates, SECURITY_SETTINGS_CHANNEL],
  );
}

export interface ScimSettingsJson {
  enabled: boolean;
  url: string | null;
  token: string | null;
  tokenCreatedAt: string | null;
}

export type ScimMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ScimExchange {
  method: ScimMethod;
  path: string;
  requestBody?: unknown;
  status: number;
  headers: Record<string, string>;
  responseBody: unknown;
}

/**
 * A SCIM client as an identity provider is: bearer token, application/scim+json bodies, paths
 * relative to the tenant's SCIM URL. Every exchange is kept (for transcripts and debugging).
 */
export class ScimClient {
  readonly exchanges: ScimExchange[] = [];

  constructor(
    private readonly t: TestApp,
    readonly slug: string,
    public token: string,
    private readonly contentType = 'application/scim+json; charset=utf-8',
  ) {}

  get base(): string {
    return `/scim/v2/${this.slug}`;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.send('GET', path, undefined, headers);
  }
  post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.send('POST', path, body, headers);
  }
  put(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.send('PUT', path, body, headers);
  }
  patch(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.send('PATCH', path, body, headers);
  }
  delete(path: string, headers: Record<string, string> = {}) {
    return this.send('DELETE', path, undefined, headers);
  }

  /** A raw body (string) is sent as it is; anything else as JSON text. */
  async send(method: ScimMethod, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const url = path.startsWith('/') ? path : `${this.base}/${path}`;
    let req = request(this.t.http)[method.toLowerCase() as 'get'](url).set('authorization', `Bearer ${this.token}`);
    if (body !== undefined) req = req.set('content-type', this.contentType);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = body === undefined ? await req : await req.send(typeof body === 'string' ? body : JSON.stringify(body));
    this.exchanges.push({
      method,
      path: url,
      requestBody: body,
      status: res.status,
      headers: Object.fromEntries(
        Object.entries(res.headers as Record<string, string>).filter(([k]) => ['content-type', 'location', 'etag', 'www-authenticate', 'retry-after'].includes(k)),
      ),
      responseBody: res.text ? (JSON.parse(res.text) as unknown) : undefined,
    });
    return res;
  }
}

/** Exchanges as HTTP text (request, then response), the form the recorded conversations are kept in. */
export function transcript(exchanges: ScimExchange[]): string {
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

export interface ScimTenantFixture {
  tenant: TenantFixture;
  admin: Session;
  settings: ScimSettingsJson;
  scim: ScimClient;
}

/** A tenant with SAML set up and SCIM enabled through the settings API, and a SCIM client holding its token. */
export async function createScimTenant(t: TestApp): Promise<ScimTenantFixture> {
  const tenant = await createTenant(t);
  const admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
  await setSamlState(t, tenant.id);
  const res = await admin.put('settings/scim', { enabled: true });
  if (res.status !== 200) throw new Error(`enabling SCIM failed: ${res.status} ${JSON.stringify(res.body)}`);
  const settings = (res.body as { scim: ScimSettingsJson }).scim;
  return { tenant, admin, settings, scim: new ScimClient(t, tenant.slug, settings.token!) };
}

export interface SamlScimTenantFixture extends ScimTenantFixture {
  idp: TestCertificate;
  /** An Okta-shaped response for `nameId`, signed by the tenant's IdP key, posted to the ACS. */
  samlAs(nameId: string): Promise<Awaited<ReturnType<typeof postAcs>>>;
}

/** A tenant with real SAML trust (an IdP key whose responses sign in) and SCIM enabled. */
export async function createSamlScimTenant(t: TestApp, overrides: Parameters<typeof createTenant>[1] = {}): Promise<SamlScimTenantFixture> {
  const tenant = await createTenant(t, overrides);
  const admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
  const idp = generateTestCertificate({ cn: 'SAML and SCIM test IdP' });
  await setUpSaml(admin, idp.certPem);
  const res = await admin.put('settings/scim', { enabled: true });
  if (res.status !== 200) throw new Error(`enabling SCIM failed: ${res.status} ${JSON.stringify(res.body)}`);
  const settings = (res.body as { scim: ScimSettingsJson }).scim;
  const samlAs = async (nameId: string) =>
    postAcs(t, tenant.slug, (await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(tenant.slug), nameId })).base64);
  return { tenant, admin, settings, scim: new ScimClient(t, tenant.slug, settings.token!), idp, samlAs };
}

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** An RFC 7644 error body (status as a string; no scimType key unless given). */
export function scimError(status: number, scimType?: string, detail: unknown = expect.any(String)) {
  return { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** A user body as Entra's provisioning service POSTs it. */
export function entraUser(userName: string, overrides: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: 'Ignored Display',
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Ignored', familyName: 'Young', givenName: 'Joy' },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    ...overrides,
  };
}

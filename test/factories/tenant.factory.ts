import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { OPERATOR_TOKEN, type TestApp } from '../utils/test-app.js';

export interface TenantFixture {
  id: string;
  slug: string;
  name: string;
  admin: { email: string; password: string };
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function tenantBody(overrides: { slug?: string; name?: string; admin?: Record<string, unknown> } = {}) {
  const slug = overrides.slug ?? uniqueSlug();
  return {
    slug,
    name: overrides.name ?? `Tenant ${slug}`,
    admin: { email: `admin@${slug}.test`, password: 'correct horse battery staple', givenName: 'Ada', familyName: 'Admin', ...overrides.admin },
  };
}

/** Creates a tenant and its System Admin through the operator API, as an operator would. */
export async function createTenant(t: TestApp, overrides: Parameters<typeof tenantBody>[0] = {}): Promise<TenantFixture> {
  const body = tenantBody(overrides);
  const res = await request(t.http).post('/api/operator/tenants').set('authorization', `Bearer ${OPERATOR_TOKEN}`).send(body);
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...(res.body as { id: string; slug: string; name: string }), admin: { email: body.admin.email, password: body.admin.password } };
}

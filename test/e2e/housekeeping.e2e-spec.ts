import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { HousekeepingService } from '../../src/housekeeping/housekeeping.service.js';
import { signIn } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const count = async (t: TestApp, sql: string, params: unknown[]) => (await queryDatabase<{ n: number }>(t.db, sql, params))[0]!.n;

describe('housekeeping: one timer, every purge', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('removes expired sessions, throttle counters, assertion IDs, AuthnRequests and page anchors, and keeps live ones', async () => {
    const live = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    await request(t.http).post(`/api/t/${tenant.slug}/auth/login`).send({ email: 'nobody@example.test', password: 'wrong-password-1' }).expect(401);
    // Age one session, every throttle counter, and plant an expired assertion ID and page anchor.
    await queryDatabase(
      t.db,
      `UPDATE sessions SET expires_at = now() - interval '1 second'
        WHERE tenant_id = $1 AND ctid = (SELECT ctid FROM sessions WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1)`,
      [tenant.id],
    );
    await queryDatabase(t.db, "UPDATE login_throttle SET window_started_at = now() - interval '1 day' WHERE tenant_id = $1", [tenant.id]);
    await queryDatabase(t.db, "INSERT INTO saml_assertion_ids (tenant_id, assertion_id, expires_at) VALUES ($1, 'spent', now() - interval '1 minute')", [tenant.id]);
    await queryDatabase(
      t.db,
      `INSERT INTO saml_authn_requests (tenant_id, request_id, client_key, expires_at, used_at)
       VALUES ($1, '_spent', '127.0.0.1', now() - interval '1 second', now()), ($1, '_never-answered', '127.0.0.1', now() - interval '1 second', NULL),
              ($1, '_live', '127.0.0.1', now() + interval '5 minutes', NULL)`,
      [tenant.id],
    );
    await queryDatabase(
      t.db,
      "INSERT INTO scim_page_anchors VALUES ($1, $2, 11, gen_random_uuid(), now() - interval '1 second')",
      [tenant.id, Buffer.alloc(32)],
    );

    const removed = await t.app.get(HousekeepingService).runOnce();

    // Every purge removed its planted row; no tenant has a metadata URL, so no refresh ran
    // (test/e2e/saml-metadata.e2e-spec.ts drives that task).
    const { 'IdP metadata refreshes that are due': refreshed, ...purged } = removed;
    expect(refreshed).toBe(0);
    expect(Object.values(purged).every((n) => n >= 1)).toBe(true);
    expect(Object.keys(purged)).toHaveLength(5);
    expect(removed['SAML AuthnRequests past their 5 minutes']).toBe(2);
    expect(await count(t, 'SELECT count(*)::int AS n FROM sessions WHERE tenant_id = $1', [tenant.id])).toBe(1);
    expect(await count(t, 'SELECT count(*)::int AS n FROM login_throttle WHERE tenant_id = $1', [tenant.id])).toBe(0);
    expect(await count(t, 'SELECT count(*)::int AS n FROM saml_assertion_ids WHERE tenant_id = $1', [tenant.id])).toBe(0);
    expect(await count(t, 'SELECT count(*)::int AS n FROM scim_page_anchors WHERE tenant_id = $1', [tenant.id])).toBe(0);
    expect(await queryDatabase(t.db, 'SELECT request_id FROM saml_authn_requests WHERE tenant_id = $1', [tenant.id])).toEqual([{ request_id: '_live' }]);
    // The session left is the one still in use (it was created first; the newest was aged).
    expect((await live.get('me')).status).toBe(200);
  });
});

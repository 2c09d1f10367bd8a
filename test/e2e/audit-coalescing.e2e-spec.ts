import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AuditService } from '../../src/audit/audit.service.js';
import type { NewAuditEvent } from '../../src/audit/audit.repository.js';
import { login, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { acsUrl, expectRefused, postAcs } from '../factories/saml.factory.js';
import { createSamlScimTenant } from '../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { queryDatabase } from '../utils/test-database.js';

interface Row {
  action: string;
  actor: string | null;
  reason: string | null;
  outcome: string;
  count: number;
  last_at: Date | null;
}

describe('audit log: a burst of identical failures is one row with a count', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let audit: AuditService;

  const rows = (action: string) =>
    queryDatabase<Row>(t.db, 'SELECT action, actor, reason, outcome, count, last_at FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY id', [tenant.id, action]);
  const failure = (action: string, o: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
    kind: 'auth',
    action,
    outcome: 'failure',
    actor: 'eve@attacker.test',
    target: 'eve@attacker.test',
    reason: 'wrong password',
    source: '203.0.113.7',
    ...o,
  });

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
    admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    audit = t.app.get(AuditService);
  });
  afterAll(async () => {
    await t.close();
  });
  // Windows are fixed minutes of the database's clock: keep each test's burst inside one.
  beforeEach(async () => {
    const [{ left }] = await queryDatabase<{ left: number }>(t.db, 'SELECT (60 - extract(second FROM now()))::float AS left');
    if (left < 4) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 100));
  });

  it('100 identical failures at once (same source, reason and code) make one row with count 100, shown by the API', async () => {
    // Different attacker-chosen emails: from one address they are still one burst.
    await Promise.all(Array.from({ length: 100 }, (_, i) => audit.record(tenant.id, failure('test.burst', { actor: `guess${i}@acme.test`, target: `guess${i}@acme.test` }))));
    const stored = await rows('test.burst');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ outcome: 'failure', reason: 'wrong password', actor: expect.stringMatching(/^guess\d+@acme\.test$/), count: 100, last_at: expect.any(Date) });
    const page = await admin.get('audit?kind=auth&outcome=failure');
    expect(page.status).toBe(200);
    expect(page.body.items).toContainEqual(expect.objectContaining({ action: 'test.burst', count: 100, lastAt: expect.any(String) }));
  });

  it('keeps different reasons, codes, sources and actions apart', async () => {
    await audit.record(tenant.id, failure('test.apart'));
    await audit.record(tenant.id, failure('test.apart'));
    await audit.record(tenant.id, failure('test.apart', { reason: 'unknown email' }));
    await audit.record(tenant.id, failure('test.apart', { source: '198.51.100.9' }));
    await audit.record(tenant.id, failure('test.apart', { reason: 'text A', details: { code: 'invalid_signature' } }));
    await audit.record(tenant.id, failure('test.apart', { reason: 'text B', details: { code: 'invalid_signature' } })); // same code: same row
    await audit.record(tenant.id, failure('test.apart', { reason: 'text C', details: { code: 'unknown_user' } }));
    const stored = await rows('test.apart');
    expect(stored.map((r) => [r.reason, r.count])).toEqual([
      ['wrong password', 2],
      ['unknown email', 1],
      ['wrong password', 1],
      ['text B', 2], // the row shows the newest occurrence
      ['text C', 1],
    ]);
  });

  it('without a source (authenticated writers), failures about different users stay apart', async () => {
    for (const target of ['a@acme.test', 'b@acme.test', 'a@acme.test']) {
      await audit.record(tenant.id, { kind: 'scim', action: 'test.scim', actor: 'scim', target, outcome: 'failure', reason: '400 invalidValue: x' });
    }
    expect((await rows('test.scim')).map((r) => r.count)).toEqual([2, 1]);
  });

  it('never coalesces successes, and ordinary rows read as count 1', async () => {
    for (let i = 0; i < 5; i++) await audit.record(tenant.id, { kind: 'auth', action: 'test.success', actor: 'ada@acme.test', target: 'ada@acme.test', outcome: 'success' });
    const stored = await rows('test.success');
    expect(stored).toHaveLength(5);
    expect(stored.every((r) => r.count === 1 && r.last_at === null)).toBe(true);
    const page = await admin.get('audit?kind=auth&outcome=success&limit=1');
    expect(page.body.items[0]).toMatchObject({ action: 'test.success', count: 1, lastAt: null });
  });

  it('starts a new row in the next window (60 s)', async () => {
    await audit.record(tenant.id, failure('test.window'));
    await queryDatabase(t.db, "UPDATE audit_events SET coalesce_window = coalesce_window - interval '60 seconds' WHERE tenant_id = $1 AND action = 'test.window'", [tenant.id]);
    await audit.record(tenant.id, failure('test.window'));
    await audit.record(tenant.id, failure('test.window'));
    expect((await rows('test.window')).map((r) => r.count)).toEqual([1, 2]);
  });

  it('Enforce SAML Login: password attempts are throttled before they are audited (429 after the limit, one audit row)', async () => {
    const other = await createTenant(t);
    await queryDatabase(t.db, 'UPDATE tenant_security_settings SET saml_enabled = true, saml_enforce_login = true WHERE tenant_id = $1', [other.id]);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await login(t, other.slug, other.admin.email, `guess number ${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5)).toEqual(Array(15).fill(429));
    const last = await login(t, other.slug, other.admin.email, other.admin.password);
    expect(last.status).toBe(429);
    expect(last.body).toMatchObject({ error: 'too_many_attempts' });
    expect(last.headers['retry-after']).toMatch(/^\d+$/);
    const stored = await queryDatabase<Row>(t.db, "SELECT action, actor, reason, outcome, count, last_at FROM audit_events WHERE tenant_id = $1 AND kind = 'auth'", [other.id]);
    expect(stored).toEqual([expect.objectContaining({ action: 'login.password', reason: 'Enforce SAML Login is on', outcome: 'failure', count: 5 })]);
  });

  it('refused ACS posts of one kind make one row, not one per post', async () => {
    const f = await createSamlScimTenant(t);
    for (let i = 0; i < 8; i++) {
      const unsigned = await buildIdpResponse({ preset: 'entra', key: f.idp.keyPem, cert: f.idp.certPem, acsUrl: acsUrl(f.tenant.slug), nameId: `nobody${i}@acme.test`, sign: 'none' });
      expectRefused(await postAcs(t, f.tenant.slug, unsigned.base64), 403, 'The SAML response is not signed');
    }
    const stored = await queryDatabase<Row>(t.db, "SELECT action, actor, reason, outcome, count, last_at FROM audit_events WHERE tenant_id = $1 AND kind = 'saml_login'", [f.tenant.id]);
    expect(stored).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'neither the Response nor the Assertion carries a signature', count: 8 })]);
  });
});

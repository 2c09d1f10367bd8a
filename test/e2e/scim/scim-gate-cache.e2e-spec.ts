import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { ScimGateCache } from '../../../src/scim/scim-gate-cache.js';
import { GATE_LISTENER_APPLICATION_NAME } from '../../../src/scim/scim-gate-listener.js';
import { createScimTenant, ScimClient, scimError, type ScimSettingsJson, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { TcpProxy } from '../../utils/tcp-proxy.js';
import { startTestApp, type TestApp } from '../../utils/test-app.js';
import { createTestDatabase, queryDatabase } from '../../utils/test-database.js';

/** How long B may keep answering as before a change made on A; the target is 100 ms (reported by scripts/bench-revocation.mjs). */
const PROPAGATION_DEADLINE_MS = 5_000;

// The SCIM gate is cached per process and invalidated through LISTEN/NOTIFY: a change made through
// instance A must take effect on instance B (same database) as soon as B hears of it, and at once
// while B's listener is down.
describe('SCIM gate cache across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let f: ScimTenantFixture;
  let onB: ScimClient;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({}, a.db);
    f = await createScimTenant(a);
    onB = new ScimClient(b, f.tenant.slug, f.settings.token!);
    await until(() => status(onB).then((s) => s === 200));
    await until(async () => b.app.get(ScimGateCache).up);
    await expectCached();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  async function status(client: ScimClient): Promise<number> {
    return (await client.get('Users?count=1')).status;
  }

  /** Polls until `done` or the deadline (then fails); returns the milliseconds it took. */
  async function until(done: () => Promise<boolean>, deadlineMs = PROPAGATION_DEADLINE_MS): Promise<number> {
    const started = performance.now();
    for (;;) {
      if (await done()) return performance.now() - started;
      if (performance.now() - started > deadlineMs) throw new Error(`not within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** B admits, and holds the tenant's gate in its cache afterwards. */
  async function expectCached(): Promise<void> {
    expect(await status(onB)).toBe(200);
    expect(await status(onB)).toBe(200);
    expect({ up: b.app.get(ScimGateCache).up, cached: b.app.get(ScimGateCache).get(f.tenant.id) !== undefined }).toEqual({ up: true, cached: true });
  }

  /** Changes the token hash behind the application's back (no change notice): only an uncached read sees it. */
  async function replaceHashSilently(): Promise<Buffer> {
    const [row] = await queryDatabase<{ scim_token_hash: Buffer }>(a.db, 'SELECT scim_token_hash FROM tenant_security_settings WHERE tenant_id = $1', [f.tenant.id]);
    await queryDatabase(a.db, "UPDATE tenant_security_settings SET scim_token_hash = '\\x00'::bytea WHERE tenant_id = $1", [f.tenant.id]);
    return row!.scim_token_hash;
  }

  async function restoreHash(hash: Buffer): Promise<void> {
    await queryDatabase(a.db, 'UPDATE tenant_security_settings SET scim_token_hash = $2 WHERE tenant_id = $1', [f.tenant.id, hash]);
  }

  async function listenerCount(): Promise<number> {
    const [row] = await queryDatabase<{ n: number }>(a.db, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [
      GATE_LISTENER_APPLICATION_NAME,
    ]);
    return row!.n;
  }

  async function regenerateOnA(): Promise<string> {
    const res = await f.admin.post('settings/scim/token');
    expect(res.status).toBe(200);
    return (res.body as { scim: ScimSettingsJson }).scim.token!;
  }

  it('serves the gate from the cache: a change made without a notice is not seen', async () => {
    await expectCached();
    const hash = await replaceHashSilently();
    expect(await status(onB)).toBe(200);
    await restoreHash(hash);
  });

  it('refuses the old token on B soon after A regenerates it, and admits the new one', async () => {
    await expectCached();
    const old = onB.token;
    const next = await regenerateOnA();
    await until(() => status(onB).then((s) => s === 401));
    const res = await onB.get('Users');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(scimError(401));
    onB.token = next;
    expect(await status(onB)).toBe(200);
    expect(await status(new ScimClient(b, f.tenant.slug, old))).toBe(401);
  });

  it('applies disabling SCIM made on A to B', async () => {
    await expectCached();
    expect((await f.admin.put('settings/scim', { enabled: false })).status).toBe(200);
    await until(() => status(onB).then((s) => s === 401));
    expect((await f.admin.put('settings/scim', { enabled: true })).status).toBe(200);
    await until(() => status(onB).then((s) => s === 200));
  });

  it('applies disabling SAML made on A to B (403: SCIM needs SAML)', async () => {
    await expectCached();
    expect((await f.admin.put('settings/saml', { enabled: false })).status).toBe(200);
    await until(() => status(onB).then((s) => s === 403));
    const res = await onB.get('Users');
    expect(res.body).toEqual(scimError(403, undefined, expect.stringMatching(/SCIM provisioning needs SAML/)));
    expect((await f.admin.put('settings/saml', { enabled: true })).status).toBe(200);
    await until(() => status(onB).then((s) => s === 200));
  });

  it('drops the tenant on B when A uploads a certificate', async () => {
    await expectCached();
    const [row] = await queryDatabase<{ pem: string }>(a.db, "SELECT saml_certificates->0->>'pem' AS pem FROM tenant_security_settings WHERE tenant_id = $1", [f.tenant.id]);
    expect((await f.admin.post('settings/saml/certificate', { certificate: row!.pem })).status).toBe(200);
    await until(async () => b.app.get(ScimGateCache).get(f.tenant.id) === undefined);
  });

  it('while B cannot listen, reads every request from the database (a revoked token fails at once), and caches again once it listens', async () => {
    await expectCached();
    const cache = b.app.get(ScimGateCache);
    // Revoked without a notice anyone could hear: B's cache still admits the old token...
    const hash = await replaceHashSilently();
    expect(await status(onB)).toBe(200);
    const killed = await queryDatabase(
      a.db,
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [GATE_LISTENER_APPLICATION_NAME],
    );
    expect(killed.length).toBeGreaterThan(0);
    await until(async () => !cache.up);
    expect(cache.size).toBe(0);
    // ...and refuses it on the very next request once its listener is down.
    expect(await status(onB)).toBe(401);
    expect(cache.up).toBe(false); // still down: the refusal came from the database
    await restoreHash(hash);
    expect(await status(onB)).toBe(200);

    // B reconnects by itself (backoff), starts empty, and caches again.
    await until(async () => cache.up, 30_000);
    await expectCached();
    const next = await regenerateOnA();
    await until(() => status(onB).then((s) => s === 401));
    onB.token = next;
    expect(await status(onB)).toBe(200);
  });
  it('listens through DATABASE_LISTEN_URL when set (PgBouncer in transaction mode): its connection cut, the cache is off while queries go on', async () => {
    const { proxy, url } = await TcpProxy.forUrl(a.db.url);
    const c = await startTestApp({ DATABASE_LISTEN_URL: url }, a.db);
    try {
      const onC = new ScimClient(c, f.tenant.slug, onB.token);
      const cache = c.app.get(ScimGateCache);
      expect(await status(onC)).toBe(200);
      await until(async () => cache.up);
      await proxy.stop(); // only the listener's connection goes through the proxy
      await until(async () => !cache.up);
      const hash = await replaceHashSilently();
      expect(await status(onC)).toBe(401);
      await restoreHash(hash);
      expect(await status(onC)).toBe(200);
      await proxy.start();
      await until(async () => cache.up, 30_000);
      expect(await status(onC)).toBe(200);
      expect(await status(onC)).toBe(200);
      expect(cache.get(f.tenant.id)).toBeDefined();
      // Closing the application closes its listener (before the pool).
      const before = await listenerCount();
      await c.close();
      await until(async () => (await listenerCount()) === before - 1);
    } finally {
      await c.close(); // a second close awaits the first
      await proxy.stop();
    }
  });
  it('never turns the cache on when its listener cannot hear the writers (LISTEN on another database, as through PgBouncer in transaction mode)', async () => {
    const elsewhere = await createTestDatabase();
    const c = await startTestApp({ DATABASE_LISTEN_URL: elsewhere.url }, a.db);
    try {
      const onC = new ScimClient(c, f.tenant.slug, onB.token);
      expect(await status(onC)).toBe(200);
      await until(async () => c.logs.some((l) => l.includes('SCIM gate cache off') && l.includes('did not arrive')), 30_000);
      const cache = c.app.get(ScimGateCache);
      expect({ up: cache.up, size: cache.size }).toEqual({ up: false, size: 0 });
      const hash = await replaceHashSilently();
      expect(await status(onC)).toBe(401);
      await restoreHash(hash);
    } finally {
      await c.close();
      await elsewhere.drop();
    }
  });
});

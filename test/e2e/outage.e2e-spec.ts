import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ScimGateCache } from '../../src/scim/scim-gate-cache.js';
import { createScimTenant, ScimClient, SCIM_ERROR, USER_SCHEMA, type ScimTenantFixture } from '../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/**
 * The database goes away (a TCP proxy in front of it is stopped) and comes back: every request
 * in between gets 503 with Retry-After in its URL space's format, the error log stays a handful
 * of lines, and everything works again once the database is back.
 */
describe('database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let fx: ScimTenantFixture;

  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.forUrl(db.url);
    proxy = proxied.proxy;
    t = await startTestApp({}, { ...db, url: proxied.url });
    fx = await createScimTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await db?.drop();
  });

  const errorLines = () => t.logs.filter((l) => /"level":"(error|fatal)"/.test(l));

  it('answers 503 with Retry-After in each protocol while the database is down, logs once, and recovers', async () => {
    const { tenant, admin, scim } = fx;
    expect((await scim.get('Users')).status).toBe(200);
    const errorsBefore = errorLines().length;
    await proxy.stop();
    try {
      const ready = await request(t.http).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', database: 'down' });
      expect((await request(t.http).get('/health')).status).toBe(200);

      // SCIM: an RFC 7644 error (the bearer check itself needs the database).
      const scimRes = await scim.get('Users?filter=userName%20eq%20%22a%40b.test%22');
      expect(scimRes.status).toBe(503);
      expect(scimRes.headers['retry-after']).toBe('5');
      expect(scimRes.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(scimRes.body).toEqual({ schemas: [SCIM_ERROR], status: '503', detail: expect.stringMatching(/database/) });

      // The JSON API: the session check and a sign-in.
      const api = await admin.get('users');
      expect(api.status).toBe(503);
      expect(api.headers['retry-after']).toBe('5');
      expect(api.body).toEqual({ error: 'unavailable', message: expect.stringMatching(/database/) });
      const loginRes = await request(t.http).post(`/api/t/${tenant.slug}/auth/login`).send({ email: tenant.admin.email, password: tenant.admin.password });
      expect(loginRes.status).toBe(503);
      expect(loginRes.body).toEqual({ error: 'unavailable', message: expect.any(String) });

      // SAML: the HTML error page a person reads.
      const acs = await request(t.http).post(`/saml/${tenant.slug}/acs`).set('origin', 'null').type('form').send({ SAMLResponse: 'PHNhbWxwOlJlc3BvbnNlLz4=' });
      expect(acs.status).toBe(503);
      expect(acs.headers['retry-after']).toBe('5');
      expect(acs.headers['content-type']).toMatch(/^text\/html/);
      expect(acs.text).toContain('Try again shortly');
      expect(acs.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);

      // Many more failures of the same kinds: no new line per request.
      for (let i = 0; i < 30; i++) {
        expect((await scim.get('Users')).status).toBe(503);
        expect((await admin.get('users')).status).toBe(503);
      }
      const outageLines = errorLines().slice(errorsBefore);
      // One first line per code and route (SCIM list, users, login, ACS; the connection that
      // was cut may add one), never one per request (~65 requests failed).
      expect(outageLines.length).toBeGreaterThanOrEqual(3);
      expect(outageLines.length).toBeLessThanOrEqual(10);
      expect(outageLines.every((l) => l.includes('"msg":"database'))).toBe(true);
      expect(outageLines.join('\n')).not.toContain('unhandled error');
    } finally {
      await proxy.start();
    }
    expect((await request(t.http).get('/health/ready')).status).toBe(200);
    expect((await scim.get('Users')).status).toBe(200);
    expect((await admin.get('users')).status).toBe(200);
  });

  it('keeps the log bounded when the gate is cached and the writes fail (listener direct, pool cut)', async () => {
    // DATABASE_LISTEN_URL straight to PostgreSQL, the pool through its own proxy (as with
    // PgBouncer in front): the gate cache stays up while every write fails, and so does each
    // failure's audit record (written after the rollback): neither may log a line per request.
    const pooled = await TcpProxy.forUrl(db.url);
    const direct = await startTestApp({ DATABASE_LISTEN_URL: db.url }, { ...db, url: pooled.url });
    try {
      const scim = new ScimClient(direct, fx.tenant.slug, fx.scim.token);
      expect((await scim.get('Users')).status).toBe(200);
      const cache = direct.app.get(ScimGateCache);
      for (let i = 0; i < 200 && !cache.up; i++) await new Promise((r) => setTimeout(r, 25));
      expect(cache.up).toBe(true);
      expect((await scim.get('Users')).status).toBe(200); // the gate now cached
      const lines = () => direct.logs.filter((l) => /"level":"(error|fatal)"/.test(l));
      const before = lines().length;
      await pooled.proxy.stop();
      for (let i = 0; i < 30; i++) {
        const res = await scim.post('Users', { schemas: [USER_SCHEMA], userName: `outage${i}@example.test` });
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ schemas: [SCIM_ERROR], status: '503', detail: expect.stringMatching(/database/) });
      }
      const outageLines = lines().slice(before);
      expect(outageLines.length).toBeGreaterThanOrEqual(1);
      expect(outageLines.length).toBeLessThanOrEqual(6);
      expect(outageLines.every((l) => l.includes('"msg":"database'))).toBe(true);
    } finally {
      await pooled.proxy.start();
      await direct.close();
      await pooled.proxy.stop();
    }
  });
});

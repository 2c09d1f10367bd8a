import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTenant } from '../factories/tenant.factory.js';
import { signIn } from '../factories/session.factory.js';
import { adminQuery, createEmptyDatabase, queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers 200 and echoes a sane X-Request-Id', async () => {
    const res = await request(t.http).get('/health').set('x-request-id', 'abc-123');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const hostile = await request(t.http).get('/health').set('x-request-id', 'has spaces and /slashes'.repeat(10));
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /health/ready answers 503 while the database refuses connections and 200 once it is back', async () => {
    expect((await request(t.http).get('/health/ready')).status).toBe(200);
    await adminQuery(`ALTER DATABASE "${t.db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.db.name]);
    try {
      const down = await request(t.http).get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'unavailable', database: 'down' });
      expect((await request(t.http).get('/health')).status).toBe(200);
    } finally {
      await adminQuery(`ALTER DATABASE "${t.db.name}" ALLOW_CONNECTIONS true`);
    }
    const up = await request(t.http).get('/health/ready');
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await request(t.http).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'Cannot GET /api/nothing-here' });
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await request(t.http)
      .post('/api/operator/tenants')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', message: expect.any(String) });
  });

  it('answers an unexpected failure with 500 and the request id, never the SQL or a stack', async () => {
    const tenant = await createTenant(t);
    const admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    await queryDatabase(t.db, 'ALTER TABLE audit_events RENAME TO audit_events_gone');
    try {
      const res = await admin.get('audit').set('x-request-id', 'req-500-test');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'internal_error', message: 'An unexpected error occurred (request id req-500-test)' });
      expect(JSON.stringify(res.body)).not.toMatch(/audit_events|SELECT|at .*\.ts/);
      const logged = t.logs.find((l) => l.includes('req-500-test') && l.includes('unhandled error'));
      expect(logged).toBeDefined();
      // The failed query's bound values (here the tenant id) and SQL text stay out of the log.
      expect(logged).not.toContain('"parameters"');
      expect(logged).not.toContain('"query"');
      expect(logged).not.toContain(tenant.id);
    } finally {
      await queryDatabase(t.db, 'ALTER TABLE audit_events_gone RENAME TO audit_events');
    }
  });

  it('serves the OpenAPI description of the admin API at /docs', async () => {
    const res = await request(t.http).get('/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/operator/tenants', '/api/t/{tenant}/users', '/api/t/{tenant}/auth/login']));
    const ui = await request(t.http).get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('Swagger UI');
  });
});

describe('migrations', () => {
  it('build the whole schema on an empty database when the service starts', async () => {
    const db = await createEmptyDatabase();
    try {
      const t = await startTestApp({}, db);
      try {
        const tables = await queryDatabase<{ tablename: string }>(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
        expect(tables.map((r) => r.tablename)).toEqual(
          expect.arrayContaining(['audit_events', 'login_throttle', 'migrations', 'sessions', 'tenant_security_settings', 'tenants', 'users']),
        );
        const indexes = await queryDatabase<{ indexdef: string }>(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_tenant_email_key'");
        expect(indexes[0]?.indexdef).toContain("(tenant_id, translate((email)::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'::text, 'abcdefghijklmnopqrstuvwxyz'::text))");
        await createTenant(t);
        expect((await request(t.http).get('/health/ready')).status).toBe(200);
      } finally {
        await t.close();
      }
      // A second start finds nothing left to do.
      const again = await startTestApp({}, db);
      await again.close();
    } finally {
      await db.drop();
    }
  });

  it('run exactly once when several instances start on an empty database at the same time', async () => {
    const db = await createEmptyDatabase();
    try {
      const apps = await Promise.all([startTestApp({}, db), startTestApp({}, db), startTestApp({}, db)]);
      try {
        const applied = await queryDatabase<{ name: string; n: string }>(db, 'SELECT name, count(*) AS n FROM migrations GROUP BY name');
        expect(applied.length).toBeGreaterThan(0);
        expect(applied.every((m) => m.n === '1')).toBe(true);
        for (const a of apps) expect((await request(a.http).get('/health/ready')).status).toBe(200);
      } finally {
        await Promise.all(apps.map((a) => a.close()));
      }
    } finally {
      await db.drop();
    }
  });
});

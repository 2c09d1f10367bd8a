import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ServicePgClient } from '../../src/database/timed-pg-client.js';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppModule } from '../../src/app.module.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { loadConfig } from '../../src/config/app-config.js';
import { toRuntimeConfig } from '../../src/config/runtime-config.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { acsUrl, postAcs } from '../factories/saml.factory.js';
import { login } from '../factories/session.factory.js';
import { generateTestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { parsePrometheusText, sampleSum, sampleValue, seriesKeys, type Family } from '../utils/prometheus-text.js';
import { listen } from '../utils/raw-http.js';
import { createSamlScimTenant, USER_SCHEMA, type SamlScimTenantFixture } from '../utils/scim-fixtures.js';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../utils/test-app.js';

interface Scrape {
  status: number;
  contentType: string;
  text: string;
}

function httpGet(port: number, path: string, method = 'GET'): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
  });
}

function metricsPort(t: TestApp): number {
  const address = t.app.get(MetricsModule).address();
  if (!address) throw new Error('the metrics listener is not up');
  return address.port;
}

async function scrape(t: TestApp): Promise<Map<string, Family>> {
  const res = await httpGet(metricsPort(t), '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${res.text}`);
  return parsePrometheusText(res.text);
}

/** Runs `count` requests, `width` at a time. */
async function inBatches(count: number, width: number, send: (i: number) => Promise<{ status: number }>, expected: number): Promise<void> {
  for (let i = 0; i < count; i += width) {
    const statuses = await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => send(i + j).then((r) => r.status)));
    expect(statuses.filter((s) => s !== expected)).toEqual([]);
  }
}

const newUser = () => ({ schemas: [USER_SCHEMA], userName: `m.${randomUUID().slice(0, 8)}@example.com`, name: { givenName: 'Metric', familyName: 'User' } });

describe('metrics on METRICS_PORT', () => {
  let t: TestApp;
  let f: SamlScimTenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_PORT: '0', SAML_ACS_FAILURES_PER_ADDRESS: '3' });
    f = await createSamlScimTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves GET /metrics on its own listener only; the public port answers 404', async () => {
    const port = metricsPort(t);
    const onPublic = await request(t.http).get('/metrics');
    expect(onPublic.status).toBe(404);
    expect(onPublic.body).toEqual({ error: 'not_found', message: 'Cannot GET /metrics' });
    const public2 = await listen(t);
    expect(port).not.toBe(public2);
    const res = await httpGet(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const other = await httpGet(port, '/api/operator/tenants');
    expect(other.status).toBe(404);
    expect(other.text).toBe('Not found: metrics are at GET /metrics\n');
    const post = await httpGet(port, '/metrics', 'POST');
    expect(post.status).toBe(405);
    expect(post.text).toBe('Method not allowed\n');
  });

  it('counts SAML sign-ins, SCIM operations, rate-limit refusals, requests and database use, in a readable exposition', async () => {
    const before = await scrape(t);

    // SCIM: 3 creates, a get, an unknown id, a patch, a filtered list, a delete, a wrong token.
    const created = [];
    for (let i = 0; i < 3; i++) {
      const res = await f.scim.post('Users', newUser());
      expect(res.status).toBe(201);
      created.push(res.body as { id: string; userName: string });
    }
    expect((await f.scim.get(`Users/${created[0]!.id}`)).status).toBe(200);
    expect((await f.scim.get(`Users/${randomUUID()}`)).status).toBe(404);
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Changed' }] };
    expect((await f.scim.patch(`Users/${created[1]!.id}`, patch)).status).toBe(200);
    expect((await f.scim.get(`Users?filter=${encodeURIComponent(`userName eq "${created[0]!.userName}"`)}`)).status).toBe(200);
    expect((await f.scim.delete(`Users/${created[2]!.id}`)).status).toBe(204);
    expect((await request(t.http).get(`/scim/v2/${f.tenant.slug}/Users`).set('authorization', 'Bearer wrong-token')).status).toBe(401);

    // SAML: two sign-ins, then a replay, an unknown user and a foreign signature (3 failures: the
    // limit), then a good response refused by the ACS failure throttle; an unknown tenant apart.
    const response = async (nameId: string, key = f.idp) =>
      (await buildIdpResponse({ preset: 'okta', key: key.keyPem, cert: key.certPem, acsUrl: acsUrl(f.tenant.slug), nameId })).base64;
    const first = await response(created[0]!.userName);
    expect((await postAcs(t, f.tenant.slug, first)).status).toBe(302);
    expect((await postAcs(t, f.tenant.slug, await response(created[1]!.userName))).status).toBe(302);
    expect((await postAcs(t, f.tenant.slug, first)).status).toBe(403);
    expect((await postAcs(t, f.tenant.slug, await response('nobody@example.com'))).status).toBe(403);
    expect((await postAcs(t, f.tenant.slug, await response(created[0]!.userName, generateTestCertificate({ cn: 'Foreign IdP' })))).status).toBe(403);
    expect((await postAcs(t, f.tenant.slug, await response(created[0]!.userName))).status).toBe(429);
    expect((await postAcs(t, 'no-such-tenant', first)).status).toBe(404);

    // Password sign-in throttle: five wrong passwords for one account, the sixth attempt refused.
    for (let i = 0; i < 5; i++) expect((await login(t, f.tenant.slug, f.tenant.admin.email, 'wrong-password-123')).status).toBe(401);
    expect((await login(t, f.tenant.slug, f.tenant.admin.email, 'wrong-password-123')).status).toBe(429);

    const after = await scrape(t);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);

    // Every family is declared with HELP and TYPE, and carries exactly its documented labels.
    const labelNames = (name: string) => [...new Set(after.get(name)!.samples.flatMap((s) => Object.keys(s.labels)))].sort();
    const expected: Record<string, [string, string[]]> = {
      latchkey_http_requests_total: ['counter', ['method', 'route', 'status']],
      latchkey_http_request_duration_seconds: ['histogram', ['le', 'method', 'route', 'status']],
      latchkey_saml_signins_total: ['counter', ['outcome', 'reason']],
      latchkey_scim_operations_total: ['counter', ['operation', 'resource', 'status']],
      latchkey_rate_limited_total: ['counter', ['limiter']],
      latchkey_db_query_duration_seconds: ['histogram', ['le']],
      latchkey_db_query_errors_total: ['counter', []],
      latchkey_db_pool_connections: ['gauge', []],
      latchkey_db_pool_idle_connections: ['gauge', []],
      latchkey_db_pool_waiting_clients: ['gauge', []],
      latchkey_db_pool_max_connections: ['gauge', []],
      latchkey_scim_gate_listener_up: ['gauge', []],
    };
    for (const [name, [type, labels]] of Object.entries(expected)) {
      expect({ name, type: after.get(name)?.type, help: after.get(name)?.help !== '', labels: labelNames(name) }).toEqual({ name, type, help: true, labels });
    }

    const scim = 'latchkey_scim_operations_total';
    expect(delta(scim, { resource: 'Users', operation: 'create', status: '201' })).toBe(3);
    expect(delta(scim, { resource: 'Users', operation: 'get', status: '200' })).toBe(1);
    expect(delta(scim, { resource: 'Users', operation: 'get', status: '404' })).toBe(1);
    expect(delta(scim, { resource: 'Users', operation: 'patch', status: '200' })).toBe(1);
    expect(delta(scim, { resource: 'Users', operation: 'list', status: '200' })).toBe(1);
    expect(delta(scim, { resource: 'Users', operation: 'delete', status: '204' })).toBe(1);
    expect(delta(scim, { resource: 'Users', operation: 'list', status: '401' })).toBe(1);

    const saml = 'latchkey_saml_signins_total';
    expect(delta(saml, { outcome: 'success', reason: 'none' })).toBe(2);
    expect(delta(saml, { outcome: 'failure', reason: 'saml_replay' })).toBe(1);
    expect(delta(saml, { outcome: 'failure', reason: 'saml_unknown_user' })).toBe(1);
    expect(delta(saml, { outcome: 'failure', reason: 'saml_signature_invalid' })).toBe(1);
    expect(delta(saml, { outcome: 'failure', reason: 'saml_tenant_not_found' })).toBe(1);
    expect(delta(saml, { outcome: 'throttled', reason: 'too_many_attempts' })).toBe(1);

    expect(delta('latchkey_rate_limited_total', { limiter: 'saml_acs' })).toBe(1);
    expect(delta('latchkey_rate_limited_total', { limiter: 'login' })).toBe(1);

    // Requests by route template and status; the histogram counts the same requests.
    const users = { method: 'POST', route: '/scim/v2/:tenant/Users', status: '201' };
    expect(delta('latchkey_http_requests_total', users)).toBe(3);
    expect(delta('latchkey_http_request_duration_seconds_count', users)).toBe(3);
    expect(delta('latchkey_http_request_duration_seconds_bucket', { ...users, le: '+Inf' })).toBe(3);
    expect(sampleValue(after, 'latchkey_http_request_duration_seconds_sum', users)).toBeGreaterThan(0);
    expect(delta('latchkey_http_requests_total', { method: 'POST', route: '/saml/:tenant/acs', status: '302' })).toBe(2);
    expect(delta('latchkey_http_requests_total', { method: 'GET', route: '/scim/v2/:tenant/Users/:id', status: '404' })).toBe(1);
    expect(delta('latchkey_http_requests_total', { method: 'POST', route: '/api/t/:tenant/auth/login', status: '429' })).toBe(1);
    // No label value is a tenant slug, a user id or a user name.
    const text = (await httpGet(metricsPort(t), '/metrics')).text;
    for (const value of [f.tenant.slug, created[0]!.id, created[0]!.userName, 'no-such-tenant']) expect(text).not.toContain(value);

    // The database: every query timed, the pool as configured (DATABASE_POOL_SIZE=5 in tests).
    expect(delta('latchkey_db_query_duration_seconds_count', {})).toBeGreaterThan(20);
    expect(sampleValue(after, 'latchkey_db_query_duration_seconds_sum', {})).toBeGreaterThan(0);
    expect(sampleValue(after, 'latchkey_db_pool_max_connections')).toBe(5);
    const total = sampleValue(after, 'latchkey_db_pool_connections');
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(5);
    expect(sampleValue(after, 'latchkey_db_pool_idle_connections')).toBeLessThanOrEqual(total);
    expect(sampleValue(after, 'latchkey_db_pool_waiting_clients')).toBe(0);

    // The default process metrics, event-loop lag among them.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect({ name, present: (after.get(name)?.samples.length ?? 0) > 0 }).toEqual({ name, present: true });
    }
  });

  it('keeps label sets bounded: 1,000 user ids, unknown tenants and random paths add no series', async () => {
    const slug = f.tenant.slug;
    const auth = `Bearer ${f.settings.token}`;
    const sends = {
      userId: () => request(t.http).get(`/scim/v2/${slug}/Users/${randomUUID()}`).set('authorization', auth),
      unknownTenant: (i: number) => request(t.http).get(`/scim/v2/nosuch-${i}-${randomUUID().slice(0, 8)}/Users/${randomUUID()}`).set('authorization', auth),
      randomPath: (i: number) => request(t.http).get(`/x${i}/${randomUUID()}?q=${i}`),
      scimUnknownResource: (i: number) => request(t.http).get(`/scim/v2/${slug}/Widget${i}`).set('authorization', auth),
      acsUnknownTenant: (i: number) => request(t.http).post(`/saml/nosuch-${i}/acs`).type('form').send({ SAMLResponse: 'PHg+' }),
    };
    const plan: [(i: number) => request.Test, number, number][] = [
      [sends.userId, 404, 1000],
      [sends.unknownTenant, 401, 100],
      [sends.randomPath, 404, 100],
      [sends.scimUnknownResource, 404, 100],
      [sends.acsUnknownTenant, 404, 100],
    ];
    // One of each first, so every series they touch exists before the count.
    for (const [send, status] of plan) await inBatches(1, 1, send, status);
    const before = await scrape(t);
    for (const [send, status, count] of plan) await inBatches(count, 20, send, status);

    const after = await scrape(t);
    expect(seriesKeys(after, 'latchkey_')).toEqual(seriesKeys(before, 'latchkey_'));
    // The requests were counted, in the series that existed already.
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('latchkey_http_requests_total', { method: 'GET', route: '/scim/v2/:tenant/Users/:id', status: '404' })).toBe(1000);
    expect(delta('latchkey_scim_operations_total', { resource: 'Users', operation: 'get', status: '401' })).toBe(100);
    expect(delta('latchkey_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(200);
    expect(delta('latchkey_saml_signins_total', { outcome: 'failure', reason: 'saml_tenant_not_found' })).toBe(100);
    // A few hundred series in all (histogram buckets are most of them), after every request above.
    expect(seriesKeys(after, 'latchkey_').length).toBeLessThan(800);
  }, 180_000); // 1,400 requests: minutes on a machine shared with other test runs
});

describe('metrics with METRICS_TENANT_LABEL, the SCIM rate limit and the body budget', () => {
  let t: TestApp;
  let f: SamlScimTenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_PORT: '0', METRICS_TENANT_LABEL: 'true', SCIM_RATE_LIMIT_PER_SECOND: '1', SCIM_RATE_LIMIT_BURST: '1', HTTP_BODY_BUDGET_MIB: '1' });
    f = await createSamlScimTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('labels SCIM operations and SAML sign-ins with the slug of an existing tenant only', async () => {
    // A bucket of one at one per second: of five requests sent at once, at most two pass.
    const statuses = await Promise.all(Array.from({ length: 5 }, () => f.scim.get('Users').then((r) => r.status)));
    const refused = statuses.filter((s) => s === 429).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(refused).toBeGreaterThanOrEqual(3);
    expect((await postAcs(t, 'no-such-tenant', 'PHg+')).status).toBe(404);
    expect((await postAcs(t, f.tenant.slug, 'PHg+')).status).toBe(400);

    const m = await scrape(t);
    expect(sampleSum(m, 'latchkey_scim_operations_total', { resource: 'Users', operation: 'list', status: '200', tenant: f.tenant.slug })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(m, 'latchkey_scim_operations_total', { status: '429', tenant: f.tenant.slug })).toBeGreaterThanOrEqual(refused);
    expect(sampleValue(m, 'latchkey_rate_limited_total', { limiter: 'scim' })).toBe(sampleSum(m, 'latchkey_scim_operations_total', { status: '429' }));
    expect(sampleValue(m, 'latchkey_saml_signins_total', { outcome: 'failure', reason: 'saml_tenant_not_found', tenant: '' })).toBe(1);
    expect(sampleValue(m, 'latchkey_saml_signins_total', { outcome: 'failure', reason: 'saml_malformed', tenant: f.tenant.slug })).toBe(1);
    // Requests stay without a tenant label: their series do not grow with tenants.
    expect(m.get('latchkey_http_requests_total')!.samples.every((s) => !('tenant' in s.labels))).toBe(true);
  });

  it('counts a body refused by the body budget (503 busy)', async () => {
    const port = await listen(t);
    const head = `POST /saml/${f.tenant.slug}/acs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 270000\r\n\r\nSAMLResponse=`;
    const sockets: Socket[] = [];
    try {
      // Unfinished bodies hold the 1 MiB budget (270,000 bytes each) until their connections close;
      // each refusal answers at once, so the loop ends as soon as the budget is full.
      let status = 0;
      for (let i = 0; i < 40 && status !== 503; i++) {
        const socket = connect(port, '127.0.0.1');
        sockets.push(socket);
        status = await new Promise<number>((resolve) => {
          let seen = '';
          socket.on('data', (d: Buffer) => {
            seen += d.toString('latin1');
            const m = /^HTTP\/1\.1 (\d{3})/.exec(seen);
            if (m) resolve(Number(m[1]));
          });
          socket.on('error', () => resolve(-1));
          socket.write(head);
          // A body the budget took produces no answer while it stays unfinished.
          setTimeout(() => resolve(0), 300);
        });
      }
      expect(status).toBe(503);
      const m = await scrape(t);
      // At least the refusal seen (a refusal slower than the wait above would be a second one).
      expect(sampleValue(m, 'latchkey_rate_limited_total', { limiter: 'body_budget' })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(m, 'latchkey_http_requests_total', { method: 'POST', route: '/saml/:tenant/acs', status: '503' })).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

describe('metrics off (METRICS_PORT unset)', () => {
  it('collects nothing, serves no listener, and leaves the pool\'s pg client untimed; the CLI never serves metrics', async () => {
    const t = await startTestApp();
    try {
      expect(t.app.get(MetricsModule).address()).toBeNull();
      const metrics = t.app.get(MetricsService);
      expect(metrics.enabled).toBe(false);
      expect((await request(t.http).get('/health')).status).toBe(200);
      expect(await metrics.registry.getMetricsAsJSON()).toEqual([]);
      const dataSource = t.app.get<DataSource>(getDataSourceToken());
      expect((dataSource.driver as unknown as { master: { Client: unknown } }).master.Client).toBe(ServicePgClient);

      // The CLI's application context, with METRICS_PORT in its environment as in the service's
      // container: it must not take (or fight the service for) the metrics port.
      const loaded = loadConfig({ NODE_ENV: 'test', APP_SECRET: TEST_APP_SECRET, METRICS_PORT: '0', LOG_LEVEL: 'silent' });
      const config = toRuntimeConfig(loaded, { appSecret: TEST_APP_SECRET, databaseUrl: t.db.url });
      const cli = await NestFactory.createApplicationContext(AppModule.forRoot(config, createLogger('silent')), { logger: false });
      try {
        expect(cli.get(MetricsService).enabled).toBe(false);
        expect(cli.get(MetricsModule).address()).toBeNull();
      } finally {
        await cli.close();
      }
    } finally {
      await t.close();
    }
  });
});

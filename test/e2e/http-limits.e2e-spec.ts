import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createScimTenant } from '../utils/scim-fixtures.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { listen, rawExchange } from '../utils/raw-http.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/** The request line the service logged for a request id, as JSON. */
function requestLog(t: TestApp, reqId: string): { ip?: string } | undefined {
  const line = t.logs.find((l) => l.includes(`"reqId":"${reqId}"`) && l.includes('"msg":"request"'));
  return line ? (JSON.parse(line) as { ip?: string }) : undefined;
}

describe('slow clients are cut off (finding 11)', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let port: number;
  beforeAll(async () => {
    // Small timeouts for the test; production defaults are 15 s and 60 s.
    t = await startTestApp({ HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_REQUEST_TIMEOUT_SECONDS: '2' });
    tenant = await createTenant(t);
    port = await listen(t);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('closes a connection whose headers trickle in, after the header timeout, with 408', async () => {
    const trickle = ['GET /health HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    const res = await rawExchange(port, trickle, { gapMs: 200, giveUpMs: 8000 });
    expect(res.closedByServer).toBe(true);
    expect(res.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(res.closedAfterMs).toBeLessThan(4000);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toEqual({ error: 'request_timeout', message: 'The request was not received in time (headers within 1 s, the whole request within 2 s)' });
  });

  it('closes a login whose body trickles in, after the request timeout, with a JSON 408', async () => {
    const head = `POST /api/t/${tenant.slug}/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`;
    const trickle = [head, ...'{"email":"slow@x.test","password":"'.split('')];
    const [res, quick] = await Promise.all([
      rawExchange(port, trickle, { gapMs: 200, giveUpMs: 10_000 }),
      // Others keep being answered quickly meanwhile.
      (async () => {
        await new Promise((r) => setTimeout(r, 500));
        const started = Date.now();
        const health = await request(t.http).get('/health');
        return { status: health.status, ms: Date.now() - started };
      })(),
    ]);
    expect(res.closedByServer).toBe(true);
    expect(res.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(res.closedAfterMs).toBeLessThan(5000);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toEqual({ error: 'request_timeout', message: expect.stringMatching(/^The request was not received in time/) });
    expect(quick.status).toBe(200);
    expect(quick.ms).toBeLessThan(1000);
    // A client cut off is the client's failure, not an unexpected error of the service.
    expect(t.logs.filter((l) => l.includes('unhandled error'))).toEqual([]);
  });

  it('answers a slow ACS body with the SAML error page', async () => {
    const head = `POST /saml/${tenant.slug}/acs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n`;
    const res = await rawExchange(port, [head, ...'SAMLResponse=PHNhbWxwOl'.split('')], { gapMs: 200, giveUpMs: 10_000 });
    expect(res.status).toBe(408);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.body).toContain('The request was not received in time');
  });
});

describe('memory held by unfinished anonymous bodies is bounded (finding 11)', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ HTTP_BODY_BUDGET_MIB: '1' });
    tenant = await createTenant(t);
    port = await listen(t);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('refuses a new body with 503 and Retry-After (in the SAML page) while the budget is held, and takes it again once freed', async () => {
    const head = `POST /saml/${tenant.slug}/acs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 270000\r\n\r\n`;
    // Three clients hold 810,000 of the 1 MiB budget; they never finish their bodies.
    const holders = [0, 1, 2].map(() => rawExchange(port, [head, 'SAMLResponse='], { giveUpMs: 1500 }));
    await new Promise((r) => setTimeout(r, 400));
    const refused = await rawExchange(port, [head], { giveUpMs: 1000 });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain('Too many requests are uploading at once');
    const held = await Promise.all(holders);
    expect(held.every((h) => h.status === null)).toBe(true);
    // The holders gave up and closed: their reservations are back.
    await new Promise((r) => setTimeout(r, 200));
    const later = await request(t.http).post(`/saml/${tenant.slug}/acs`).type('form').send({ SAMLResponse: 'A'.repeat(200_000) });
    expect(later.status).not.toBe(503);
    expect(later.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('memory held by unfinished authenticated bodies is bounded too', () => {
  let t: TestApp;
  let port: number;
  let scim: Awaited<ReturnType<typeof createScimTenant>>;
  beforeAll(async () => {
    t = await startTestApp({ HTTP_BODY_BUDGET_MIB: '1' });
    scim = await createScimTenant(t);
    port = await listen(t);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('refuses the next body of a SCIM token holder with 503 (a SCIM error) while its budget is held; anonymous bodies keep theirs', async () => {
    const head = `POST /scim/v2/${scim.tenant.slug}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${scim.scim.token}\r\nContent-Type: application/scim+json\r\nContent-Length: 400000\r\n\r\n`;
    // Two authenticated clients hold 800,000 of the 1 MiB budget; they never finish their bodies.
    const holders = [0, 1].map(() => rawExchange(port, [head, '{"schemas":'], { giveUpMs: 1500 }));
    await new Promise((r) => setTimeout(r, 400));
    const refused = await rawExchange(port, [head], { giveUpMs: 1000 });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(refused.body).toContain('Too many requests are uploading at once');
    // The anonymous budget is another: an ACS post is still read (and refused for what it is).
    const acs = await request(t.http).post(`/saml/${scim.tenant.slug}/acs`).type('form').send({ SAMLResponse: 'A'.repeat(200_000) });
    expect(acs.status).not.toBe(503);
    await Promise.all(holders);
    await new Promise((r) => setTimeout(r, 200));
    const later = await scim.scim.post('Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'later@example.com', name: { givenName: 'L', familyName: 'Ater' } });
    expect(later.status).toBe(201);
  });
});

describe('TRUST_PROXY takes a list of proxies (finding 8)', () => {
  it('ignores X-Forwarded-For from a peer not in the list', async () => {
    const t = await startTestApp({ TRUST_PROXY: '10.0.0.0/8' });
    try {
      await request(t.http).get('/health').set('x-request-id', 'xff-untrusted').set('x-forwarded-for', '203.0.113.9');
      expect(requestLog(t, 'xff-untrusted')?.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await t.close();
    }
  });

  it('uses X-Forwarded-For from a listed proxy', async () => {
    const t = await startTestApp({ TRUST_PROXY: '127.0.0.1/32, ::1' });
    try {
      await request(t.http).get('/health').set('x-request-id', 'xff-trusted').set('x-forwarded-for', '198.51.100.4, 203.0.113.9');
      // Only the nearest hop is the trusted proxy: the address it saw is the client's.
      expect(requestLog(t, 'xff-trusted')?.ip).toBe('203.0.113.9');
    } finally {
      await t.close();
    }
  });
});

describe('/docs and HTML security headers (also suspected in issue 9)', () => {
  it('does not serve /docs in production unless API_DOCS=true, and then with CSP and no framing', async () => {
    const prod = { NODE_ENV: 'production' };
    const off = await startTestApp(prod);
    try {
      for (const path of ['/docs', '/docs-json']) {
        const res = await request(off.http).get(path);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not_found', message: `Cannot GET ${path}` });
      }
    } finally {
      await off.close();
    }
    const on = await startTestApp({ ...prod, API_DOCS: 'true' });
    try {
      const res = await request(on.http).get('/docs');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await on.close();
    }
  });
});

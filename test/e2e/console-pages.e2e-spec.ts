import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/** The console's HTML shells: public, data-free, strict CSP, sensible redirects. */
describe('console pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['login', 'app', 'settings/security', 'settings/users', 'settings/groups', 'settings/audit'])('serves /t/{tenant}/%s as an HTML shell with its module and a strict CSP', async (path) => {
    const res = await request(t.http).get(`/t/acme/${path}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(/<script type="module" src="\/console-assets\/pages\/[a-z]+\.js"><\/script>/);
    expect(res.text).toContain('href="/console-assets/console.css"');
    // No inline script, nothing from another origin.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('redirects the tenant root to the app page and /settings to the security page', async () => {
    const root = await request(t.http).get('/t/acme');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/t/acme/app');
    const settings = await request(t.http).get('/t/acme/settings');
    expect(settings.status).toBe(302);
    expect(settings.headers.location).toBe('/t/acme/settings/security');
  });

  it('offers an organization chooser at / that sends people to their login page', async () => {
    const home = await request(t.http).get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<form method="get" action="/t"');
    const go = await request(t.http).get('/t?tenant=Acme');
    expect(go.status).toBe(302);
    expect(go.headers.location).toBe('/t/acme/login');
    const bad = await request(t.http).get('/t?tenant=not%20a%20slug');
    expect(bad.headers.location).toBe('/');
    // A lookalike letter (Kelvin sign, dotted İ) is no slug letter: back to the chooser, not to "kcme" or "acmi".
    for (const lookalike of ['%E2%84%AAcme', 'ACM%C4%B0']) {
      const res = await request(t.http).get(`/t?tenant=${lookalike}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/');
    }
  });

  it('answers 404 for a malformed tenant in a page URL', async () => {
    const res = await request(t.http).get('/t/NOT_A_SLUG/app');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
  });

  it('keeps the API closed: a page is public, the data behind it is not', async () => {
    expect((await request(t.http).get('/t/acme/settings/users')).status).toBe(200);
    expect((await request(t.http).get('/api/t/acme/users')).status).toBe(401);
  });
});

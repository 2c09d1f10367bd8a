import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import type { SecuritySettingsView } from '../../src/contract/api-views.js';
import { describeCertificate } from '../../src/saml/certificate-info.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate } from '../utils/certificates.js';
import { launchChromium, openTab, readClipboard, screenshot, startLiveApp, textOf, until, type ConsoleTab, type LiveApp } from './support/console-browser.js';

// Real work (chromium and the service, sign-ins with scrypt); every wait inside is for a condition,
// so this bounds a busy machine, not a speed.
jest.setTimeout(180_000);

type Settings = SecuritySettingsView;

/**
 * The security page's own behaviour (Save order, error placement, expiry warnings, Copy of a
 * masked token, Regenerate) against the settings answers of CONTRACT section 2, given by a small
 * stand-in in the browser so that states awkward to reach for real (an API refusal on a given
 * control, a certificate about to expire) can be shown on demand. Sign-in, /me and the page are
 * the real service; only the settings routes are intercepted. saml-scim.browser-spec.ts walks the
 * same steps against the real API.
 */
describe('security page against the settings contract (stand-in writes)', () => {
  let live: LiveApp;
  let browser: Browser;
  let acme: TenantFixture;
  let tab: ConsoleTab;
  let page: Page;
  let dir: string;
  let state: Settings;
  let failScimWith: { status: number; error: string; message: string } | null = null;
  const writes: { method: string; path: string; csrf: string | undefined }[] = [];
  let tokenCounter = 0;

  const json = (route: Route, status: number, body: unknown) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

  async function standIn(route: Route): Promise<void> {
    const req = route.request();
    const path = new URL(req.url()).pathname.replace(`/api/t/${acme.slug}/`, '');
    if (req.method() === 'GET' && path === 'settings/security') return json(route, 200, state);
    writes.push({ method: req.method(), path, csrf: req.headers()['x-csrf-token'] });
    if (req.method() === 'POST' && path === 'settings/saml/certificate') {
      const body = req.postDataBuffer()?.toString('utf8') ?? '';
      const filename = /filename="([^"]+)"/.exec(body)?.[1] ?? '';
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(body)?.[0];
      if (!pem) return json(route, 400, { error: 'invalid_certificate', message: 'The file is not an X.509 certificate or SAML metadata' });
      const info = describeCertificate(pem);
      state.saml.certificates = [filename.includes('expired') ? { ...info, notAfter: '2020-01-01T00:00:00.000Z', expired: true } : info];
      return json(route, 200, state);
    }
    if (req.method() === 'PUT' && path === 'settings/saml') {
      const body = req.postDataJSON() as { enabled?: boolean; enforceLogin?: boolean; idpSsoUrl?: string | null };
      if (typeof body.idpSsoUrl === 'string' && !/^https?:\/\//.test(body.idpSsoUrl)) {
        return json(route, 400, { error: 'invalid_url', message: 'idpSsoUrl must be an http(s) URL, not ftp', field: 'idpSsoUrl' });
      }
      if (body.enforceLogin && state.saml.certificates.length === 0) return json(route, 409, { error: 'certificate_required', message: 'Upload a verification certificate before enforcing SAML login' });
      state.saml = { ...state.saml, ...body };
      return json(route, 200, state);
    }
    if (req.method() === 'PUT' && path === 'settings/scim') {
      if (failScimWith) return json(route, failScimWith.status, { error: failScimWith.error, message: failScimWith.message });
      const body = req.postDataJSON() as { enabled: boolean };
      if (body.enabled && !(state.saml.enabled && state.saml.certificates.length > 0)) return json(route, 409, { error: 'saml_required', message: 'SCIM needs SAML enabled with a certificate' });
      state.scim.enabled = body.enabled;
      if (body.enabled && !state.scim.token) {
        state.scim = { enabled: true, url: `${live.baseUrl}/scim/v2/${acme.slug}`, token: `scim-token-${++tokenCounter}-abcdef`, tokenCreatedAt: new Date().toISOString() };
      }
      return json(route, 200, state);
    }
    if (req.method() === 'POST' && path === 'settings/scim/token') {
      state.scim = { ...state.scim, token: `scim-token-${++tokenCounter}-abcdef`, tokenCreatedAt: new Date().toISOString() };
      return json(route, 200, state);
    }
    return route.continue();
  }

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    acme = await createTenant(live, { name: 'Acme Corporation' });
    const acs = `${live.baseUrl}/saml/${acme.slug}/acs`;
    state = {
      saml: { enabled: false, signOnUrl: acs, entityId: acs, enforceLogin: false, certificates: [], idpEntityId: null, metadataUrl: null, metadataRefreshedAt: null, metadataError: null, idpSsoUrl: null, spCertificate: null },
      scim: { enabled: false, url: null, token: null, tokenCreatedAt: null },
    };
    dir = mkdtempSync(join(tmpdir(), 'latchkey-certs-'));
    writeFileSync(join(dir, 'okta-soon.pem'), generateTestCertificate({ cn: 'Okta Soon', days: 10 }).certPem);
    writeFileSync(join(dir, 'entra.cer'), generateTestCertificate({ cn: 'Microsoft Azure Federated SSO Certificate', days: 1095 }).certPem);
    writeFileSync(join(dir, 'entra-expired.cer'), generateTestCertificate({ cn: 'Old Entra Certificate' }).certPem);
    writeFileSync(join(dir, 'readme.txt.pem'), 'hello');

    tab = await openTab(browser, live.baseUrl);
    page = tab.page;
    await page.route(`**/api/t/${acme.slug}/settings/**`, standIn);
    await page.goto(`/t/${acme.slug}/login`);
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill(acme.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/t/${acme.slug}/app`);
    await page.goto(`/t/${acme.slug}/settings/security`);
    await page.getByRole('heading', { level: 1, name: 'SAML and SCIM' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the certificate on choosing it and warns when it expires within 30 days', async () => {
    await page.getByLabel('Verification Certificate').setInputFiles(join(dir, 'okta-soon.pem'));
    const card = page.getByRole('article', { name: 'Certificate Okta Soon' });
    const text = await textOf(card);
    expect(text).toMatch(/Expires in (9|10) days/);
    expect(text).toContain('Upload the new certificate from your identity provider before then.');
    expect(text).toContain(state.saml.certificates[0]!.sha256Fingerprint);
    expect(text).toContain('CN=Okta Soon'); // issuer of a self-signed certificate
    expect(text).toContain('RSA 2048-bit');
    await page.getByRole('status').filter({ hasText: 'Uploaded okta-soon.pem: Okta Soon.' }).waitFor();
    expect(writes.at(-1)).toEqual({ method: 'POST', path: 'settings/saml/certificate', csrf: expect.any(String) });
    await screenshot(page, '14-security-certificate-expiring');
  });

  it('shows an expired certificate as expired', async () => {
    await page.getByLabel('Verification Certificate').setInputFiles(join(dir, 'entra-expired.cer'));
    const text = await textOf(page.getByRole('article', { name: 'Certificate Old Entra Certificate' }));
    expect(text).toContain('Expired');
    expect(text).toContain('This certificate expired on');
  });

  it('puts an upload refusal next to the file input', async () => {
    await page.getByLabel('Verification Certificate').setInputFiles(join(dir, 'readme.txt.pem'));
    const alert = page.getByRole('alert');
    expect(await textOf(alert)).toBe('readme.txt.pem was not accepted: The file is not an X.509 certificate or SAML metadata. The current certificate is unchanged.');
    // The alert sits in the SAML section, right under the file input.
    expect(await page.getByRole('region', { name: 'SAML single sign-on' }).getByRole('alert').count()).toBe(1);
    await page.getByLabel('Verification Certificate').setInputFiles(join(dir, 'entra.cer'));
    await page.getByRole('article', { name: 'Certificate Microsoft Azure Federated SSO Certificate' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('explains Enforce SAML Login while SAML is off, and saves SAML before SCIM in one Save', async () => {
    const enforce = page.getByRole('checkbox', { name: 'Enforce SAML Login' });
    expect(await enforce.isEnabled()).toBe(true);
    await enforce.check();
    await page.getByText('Takes effect only while SAML Sign-on is enabled.').waitFor();
    expect(await page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' }).isDisabled()).toBe(true);

    await page.getByRole('checkbox', { name: 'Enable SAML Sign-on' }).check();
    await page.getByText('You signed in with a password: after saving, sign in from your identity provider next time.').waitFor();
    await page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' }).check();
    await page.getByText('Unsaved changes').waitFor();
    await screenshot(page, '15-security-unsaved');
    const before = writes.length;
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(writes.slice(before).map((w) => `${w.method} ${w.path}`)).toEqual(['PUT settings/saml', 'PUT settings/scim']);
    expect(writes.slice(before).every((w) => typeof w.csrf === 'string' && w.csrf.length > 0)).toBe(true);
    expect(state.saml).toMatchObject({ enabled: true, enforceLogin: true });
    expect(state.scim.enabled).toBe(true);

    // The URL and token show without a reload; the token is masked until Show.
    expect(await page.getByRole('textbox', { name: 'SCIM URL' }).inputValue()).toBe(`${live.baseUrl}/scim/v2/${acme.slug}`);
    const token = page.getByLabel('SCIM Token', { exact: true });
    expect(await token.inputValue()).toBe(state.scim.token);
    expect(await token.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await token.getAttribute('type')).toBe('text');
    expect(await page.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await page.getByText('Unsaved changes').isHidden()).toBe(true);
    await screenshot(page, '16-security-all-on');
  });

  it('copies the real token even while it is masked, and the SCIM URL', async () => {
    await page.getByRole('button', { name: 'Copy SCIM Token' }).click();
    expect(await until(() => readClipboard(page), (v) => v === state.scim.token)).toBe(state.scim.token);
    await page.getByRole('button', { name: 'Copy SCIM URL' }).click();
    expect(await until(() => readClipboard(page), (v) => v === state.scim.url)).toBe(state.scim.url);
  });

  it('Regenerate asks first; Cancel keeps the token, confirming replaces it without a reload', async () => {
    const first = state.scim.token;
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Regenerate the SCIM token?' });
    expect(await textOf(dialog)).toContain('The current token stops working at once');
    await screenshot(page, '17-security-regenerate-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(state.scim.token).toBe(first);
    // Focus returns to Regenerate.
    expect(await page.getByRole('button', { name: 'Regenerate', exact: true }).and(page.locator(':focus')).count()).toBe(1);

    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Regenerate the SCIM token?' });
    await dialog.getByRole('button', { name: 'Regenerate token' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('New SCIM token generated. Copy it into your identity provider now.').waitFor();
    expect(state.scim.token).not.toBe(first);
    expect(await page.getByLabel('SCIM Token', { exact: true }).inputValue()).toBe(state.scim.token);
  });

  it('puts a SCIM refusal next to Enable SCIM Provisioning and keeps the unsaved choice', async () => {
    failScimWith = { status: 409, error: 'saml_required', message: 'SCIM needs SAML enabled with a certificate' };
    try {
      await page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' }).uncheck();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const scimSection = page.getByRole('region', { name: 'SCIM provisioning' });
      expect(await textOf(scimSection.getByRole('alert'))).toBe('SCIM needs SAML enabled with a certificate');
      expect(await page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' }).isChecked()).toBe(false);
      await page.getByText('Unsaved changes').waitFor();
      await screenshot(page, '18-security-scim-error');
    } finally {
      failScimWith = null;
    }
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(state.scim.enabled).toBe(false);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(tab.problems).toEqual([]);
  });

  it('saves the IdP SSO URL with Save, puts a URL refusal under it, and shows the SP certificate with the metadata link', async () => {
    state.saml.spCertificate = { notAfter: '2036-11-27T09:03:54.000Z', sha256Fingerprint: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89' };
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'SAML and SCIM' }).waitFor();
    const sp = page.locator('#sp-certificate');
    expect(await textOf(sp)).toContain(state.saml.spCertificate.sha256Fingerprint);
    expect(await textOf(sp)).toContain('2036');
    expect(await sp.getByRole('link', { name: 'Download SP metadata' }).getAttribute('href')).toBe(`${live.baseUrl}/saml/${acme.slug}/metadata`);
    expect(await page.getByRole('textbox', { name: 'SSO Login URL' }).inputValue()).toBe(`${live.baseUrl}/saml/${acme.slug}/login`);

    const field = page.getByLabel('IdP SSO URL');
    await field.fill('ftp://idp.example.test/sso');
    await page.getByText('Unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const alert = page.getByRole('region', { name: 'SAML single sign-on' }).getByRole('alert');
    expect(await textOf(alert)).toBe('The IdP SSO URL was not saved: idpSsoUrl must be an http(s) URL, not ftp');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.inputValue()).toBe('ftp://idp.example.test/sso');
    await screenshot(page, '19-security-idp-sso-url-error');

    await field.fill('https://login.example.test/app/sso/saml');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(state.saml.idpSsoUrl).toBe('https://login.example.test/app/sso/saml');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByText('Unsaved changes').isHidden()).toBe(true);
    await screenshot(page, '20-security-sp-initiated');
    expect(tab.problems).toEqual([]);
  });
});

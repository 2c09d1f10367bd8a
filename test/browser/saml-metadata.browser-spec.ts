import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { entraFederationMetadata } from '../fixtures/saml/idp-metadata.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { PRESETS } from '../utils/fake-idp.js';
import { MetadataServer } from '../utils/metadata-server.js';
import { launchChromium, openTab, screenshot, startLiveApp, textOf, type ConsoleTab, type LiveApp } from './support/console-browser.js';

jest.setTimeout(90_000);

/**
 * The Metadata URL on the security page against the real API and a local metadata endpoint:
 * saved with Save (fetched at once), then a refresh that fails shows its reason as an alert,
 * now and after a reload, while the certificates from the last good fetch stay listed.
 */
describe('security page: Metadata URL, Refresh now, and a failed refresh', () => {
  let live: LiveApp;
  let browser: Browser;
  let idp: MetadataServer;
  let acme: TenantFixture;
  let tab: ConsoleTab;
  let page: Page;
  let cert: TestCertificate;
  const url = (path: string) => `/t/${acme.slug}/${path}`;

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    idp = await MetadataServer.start();
    cert = generateTestCertificate({ cn: 'Acme Entra Signing' });
    idp.reset(entraFederationMetadata({ entityId: PRESETS.entra.idpEntityId, signing: [cert.certPem] }));
    acme = await createTenant(live, { name: 'Acme Corporation' });
    tab = await openTab(browser, live.baseUrl);
    page = tab.page;
    await page.goto(url('login'));
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill(acme.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${url('app')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await live?.close();
  });

  it('Save fetches the Metadata URL: its signing certificate is listed with the time of the refresh', async () => {
    await page.goto(url('settings/security'));
    const refresh = page.getByRole('button', { name: 'Refresh now' });
    await expect(refresh.isDisabled()).resolves.toBe(true);
    await page.getByRole('checkbox', { name: 'Enable SAML Sign-on' }).check();
    await page.getByRole('textbox', { name: 'Metadata URL' }).fill(idp.url());
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await textOf(page.getByRole('status').filter({ hasText: 'Saved.' }))).toBe('Saved.');
    await page.getByRole('article', { name: 'Certificate Acme Entra Signing' }).waitFor();
    expect(await textOf(page.locator('#metadata-url-state'))).toMatch(/^Last refreshed /);
    expect(idp.requests).toEqual(['/federationmetadata.xml']);
    await expect(refresh.isDisabled()).resolves.toBe(false);
    await expect(page.getByRole('alert').filter({ hasText: 'metadata refresh failed' }).count()).resolves.toBe(0);
  });

  it('a failed Refresh now shows the reason as an alert; the certificate stays, also after a reload', async () => {
    idp.handler = (_req, res) => res.writeHead(503).end('maintenance');
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'metadata refresh failed' });
    expect(await textOf(alert)).toBe(`The last metadata refresh failed: http://127.0.0.1:${idp.port} answered HTTP 503. The certificates below are unchanged.`);
    await page.getByRole('article', { name: 'Certificate Acme Entra Signing' }).waitFor();
    await screenshot(page, 'security-metadata-refresh-failed');

    await page.reload();
    expect(await textOf(page.getByRole('alert').filter({ hasText: 'metadata refresh failed' }))).toContain('answered HTTP 503');
    await page.getByRole('article', { name: 'Certificate Acme Entra Signing' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Metadata URL' }).inputValue()).toBe(idp.url());

    // The IdP is back: Refresh now clears the alert.
    idp.reset();
    await page.getByRole('button', { name: 'Refresh now' }).click();
    expect(await textOf(page.getByRole('status').filter({ hasText: 'Metadata refreshed' }))).toBe('Metadata refreshed: 1 signing certificate.');
    await expect(page.getByRole('alert').filter({ hasText: 'metadata refresh failed' }).count()).resolves.toBe(0);
    expect(tab.problems).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { setUpSaml } from '../factories/saml.factory.js';
import { createUser, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse, receiveAuthnRequest } from '../utils/fake-idp.js';
import { launchChromium, openTab, screenshot, startLiveApp, textOf, type LiveApp } from './support/console-browser.js';

jest.setTimeout(90_000);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * "Sign in with SSO" in a real browser: the login page's button → GET /saml/{tenant}/login → 302
 * to a test identity provider (a local HTTP server using samlify) that verifies the signed
 * AuthnRequest against the SP metadata and answers it with an encrypted, signed assertion by an
 * auto-submitting form POST to the ACS → the app page, signed in.
 */
describe('SP-initiated sign-on in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  let acme: TenantFixture;
  let api: Session;
  let idp: TestCertificate;
  let idpServer: Server;
  let idpUrl: string;
  const seen: { id: string; relayState: string | null; error?: string }[] = [];
  const url = (path: string) => `/t/${acme.slug}/${path}`;

  /** The test IdP's SSO endpoint: it signs the user in without asking (as a live IdP session would). */
  async function answer(fullUrl: string): Promise<string> {
    const metadata = await request(live.http).get(`/saml/${acme.slug}/metadata`);
    const received = await receiveAuthnRequest(fullUrl, metadata.text);
    seen.push({ id: received.id, relayState: received.relayState });
    const spCert = /use="encryption">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(metadata.text)![1]!;
    const response = await buildIdpResponse({
      preset: 'entra',
      key: idp.keyPem,
      cert: idp.certPem,
      acsUrl: received.acsUrl!,
      nameId: 'sam@acme.test',
      inResponseTo: received.id,
      encryptTo: `-----BEGIN CERTIFICATE-----\n${spCert.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
      dataEncryption: 'aes256-gcm',
    });
    return `<!doctype html><title>Test IdP</title><body onload="document.forms[0].submit()"><form method="post" action="${esc(received.acsUrl!)}">` +
      `<input type="hidden" name="SAMLResponse" value="${esc(response.base64)}">` +
      (received.relayState ? `<input type="hidden" name="RelayState" value="${esc(received.relayState)}">` : '') +
      `<noscript><button>Continue</button></noscript></form></body>`;
  }

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    idpServer = createServer((req, res) => {
      // The browser also asks this origin for /favicon.ico.
      if (!(req.url ?? '').startsWith('/sso?')) return void res.writeHead(404).end();
      answer(`${idpUrl}${(req.url ?? '/').replace(/^\/sso/, '')}`).then(
        (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
        (err: unknown) => {
          seen.push({ id: '', relayState: null, error: String(err) });
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`IdP refused the AuthnRequest: ${String(err)}`);
        },
      );
    });
    await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
    idpUrl = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}/sso`;

    acme = await createTenant(live, { name: 'Acme Corporation' });
    api = await signIn(live, acme.slug, acme.admin.email, acme.admin.password);
    await createUser(api, { email: 'sam@acme.test' });
    idp = generateTestCertificate({ cn: 'Acme Test IdP' });
    await setUpSaml(api, idp.certPem);
    const put = await api.put('settings/saml', { idpSsoUrl: idpUrl });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
    await new Promise((resolve) => idpServer?.close(resolve));
  });

  it('"Sign in with SSO" on the login page: the IdP answers the AuthnRequest and the user lands on the app page', async () => {
    const tab = await openTab(browser, live.baseUrl);
    try {
      await tab.page.goto(url('login'));
      const sso = tab.page.getByRole('link', { name: 'Sign in with SSO' });
      expect(await sso.getAttribute('href')).toBe(`/saml/${acme.slug}/login`);
      // Password sign-in is the main action while SAML is not enforced.
      expect(await tab.page.getByRole('button', { name: 'Sign in', exact: true }).getAttribute('class')).toContain('primary');
      await screenshot(tab.page, '26-login-sign-in-with-sso');
      await sso.click();
      await tab.page.waitForURL(`**${url('app')}`);
      await tab.page.getByRole('main').getByText('sam@acme.test', { exact: true }).waitFor();
      expect(seen.at(-1)).toMatchObject({ id: expect.stringMatching(/^_[0-9a-f]{40}$/), relayState: null });
      expect(seen.some((s) => s.error)).toBe(false);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
    const audit = await api.get('audit?kind=saml_login&limit=1');
    expect(audit.body.items[0]).toMatchObject({ outcome: 'success', target: 'sam@acme.test' });
  });

  it('with Enforce SAML Login on, "Sign in with SSO" is the page\'s main action; a deep link survives the round trip', async () => {
    expect((await api.put('settings/saml', { enforceLogin: true })).status).toBe(200);
    const tab = await openTab(browser, live.baseUrl);
    try {
      await tab.page.goto(url('login'));
      const sso = tab.page.getByRole('link', { name: 'Sign in with SSO' });
      await sso.waitFor();
      expect(await sso.getAttribute('class')).toContain('primary');
      expect(await tab.page.getByRole('button', { name: 'Sign in', exact: true }).getAttribute('class')).not.toContain('primary');
      expect(await sso.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await textOf(tab.page.locator('.callout'))).toContain('choose Sign in with SSO');
      await screenshot(tab.page, '27-login-sso-enforced');
      // The IdP's Sign on URL with a RelayState (as a bookmark to a page would carry).
      await tab.page.goto(`/saml/${acme.slug}/login?RelayState=${encodeURIComponent(`/t/${acme.slug}/app?tab=licenses`)}`);
      await tab.page.waitForURL(`**${url('app')}?tab=licenses`);
      await tab.page.getByRole('main').getByText('sam@acme.test', { exact: true }).waitFor();
      expect(seen.at(-1)?.relayState).toBe(`/t/${acme.slug}/app?tab=licenses`);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it('without an IdP SSO URL there is no button, and the login URL explains why', async () => {
    expect((await api.put('settings/saml', { enforceLogin: false, idpSsoUrl: null })).status).toBe(200);
    const tab = await openTab(browser, live.baseUrl);
    try {
      await tab.page.goto(url('login'));
      await tab.page.getByText('Your organization also offers single sign-on from your identity provider.').waitFor();
      expect(await tab.page.getByRole('link', { name: 'Sign in with SSO' }).count()).toBe(0);
      const res = await tab.page.goto(`/saml/${acme.slug}/login`);
      expect(res?.status()).toBe(409);
      expect(await textOf(tab.page.getByRole('alert'))).toContain('Sign-in with SSO is not set up for this organization');
    } finally {
      await tab.context.close();
    }
  });
});

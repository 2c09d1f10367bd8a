import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { signIn, type Session } from '../factories/session.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { launchChromium, openTab, readClipboard, screenshot, startLiveApp, textOf, until, type ConsoleTab, type LiveApp } from './support/console-browser.js';

jest.setTimeout(90_000);

/**
 * The System Admin's whole SAML and SCIM setup, click by click as the reference pages describe
 * it, then SCIM provisioning, a license in the User List and an IdP-initiated sign-in.
 */
describe('SAML and SCIM setup in a browser, then an IdP-initiated sign-in', () => {
  let live: LiveApp;
  let browser: Browser;
  let acme: TenantFixture;
  let api: Session;
  let admin: ConsoleTab;
  let page: Page;
  let idp: TestCertificate;
  let certDir: string;
  let scimToken: string;
  const acsUrl = () => `${live.baseUrl}/saml/${acme.slug}/acs`;
  const scimUrl = () => `${live.baseUrl}/scim/v2/${acme.slug}`;
  const url = (path: string) => `/t/${acme.slug}/${path}`;

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    acme = await createTenant(live, { name: 'Acme Corporation', admin: { givenName: 'Ada', familyName: 'Admin' } });
    api = await signIn(live, acme.slug, acme.admin.email, acme.admin.password);
    idp = generateTestCertificate({ cn: 'Acme Test IdP' });
    certDir = mkdtempSync(join(tmpdir(), 'latchkey-idp-'));
    // What "Download Certificate" gives in Entra (Base64) or Okta: a PEM file named .crt.
    writeFileSync(join(certDir, 'acme-idp.crt'), idp.certPem);
    admin = await openTab(browser, live.baseUrl);
    page = admin.page;
    await page.goto(url('login'));
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill(acme.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${url('app')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('System Settings > Security > SAML and SCIM: enable SAML Sign-on and copy the Sign-on Page URL', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SAML and SCIM' }).click();
    await page.waitForURL(`**${url('settings/security')}`);
    await page.getByRole('checkbox', { name: 'Enable SAML Sign-on' }).check();
    expect(await page.getByRole('textbox', { name: 'Sign-on Page URL' }).inputValue()).toBe(acsUrl());
    await page.getByRole('button', { name: 'Copy Sign-on Page URL' }).click();
    expect(await until(() => readClipboard(page), (v) => v === acsUrl())).toBe(acsUrl());
  });

  it('uploads the Verification Certificate as soon as it is chosen and shows what it is', async () => {
    await page.getByLabel('Verification Certificate').setInputFiles(join(certDir, 'acme-idp.crt'));
    const card = page.getByRole('article', { name: 'Certificate Acme Test IdP' });
    await card.waitFor();
    const text = await textOf(card);
    expect(text).toContain('Acme Test IdP');
    expect(text).toContain('Valid');
    const settings = (await api.get('settings/security')).body as { saml: { certificates: { sha256Fingerprint: string }[] } };
    expect(settings.saml.certificates).toHaveLength(1);
    expect(text).toContain(settings.saml.certificates[0]!.sha256Fingerprint);
    // With a certificate Enforce SAML Login can be switched on.
    expect(await page.getByRole('checkbox', { name: 'Enforce SAML Login' }).isEnabled()).toBe(true);
    await screenshot(page, '20-security-certificate');
  });

  it('refuses a file that is not a certificate, next to the field', async () => {
    writeFileSync(join(certDir, 'notes.pem'), 'not a certificate');
    await page.getByLabel('Verification Certificate').setInputFiles(join(certDir, 'notes.pem'));
    const alert = page.getByRole('alert').filter({ hasText: 'notes.pem was not accepted' });
    await alert.waitFor();
    // The previous certificate stays.
    await page.getByRole('article', { name: 'Certificate Acme Test IdP' }).waitFor();
  });

  it('Enforce SAML Login and Enable SCIM Provisioning, then Save: the SCIM URL and token appear without a reload', async () => {
    await page.getByRole('checkbox', { name: 'Enforce SAML Login' }).check();
    const scim = page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' });
    expect(await scim.isEnabled()).toBe(true);
    await scim.check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const settings = (await api.get('settings/security')).body as { saml: { enabled: boolean; enforceLogin: boolean }; scim: { enabled: boolean; url: string; token: string } };
    expect(settings.saml).toMatchObject({ enabled: true, enforceLogin: true });
    expect(settings.scim.enabled).toBe(true);
    expect(settings.scim.url).toBe(scimUrl());
    expect(await page.getByRole('textbox', { name: 'SCIM URL' }).inputValue()).toBe(scimUrl());
    const tokenField = page.getByLabel('SCIM Token', { exact: true });
    expect(await tokenField.inputValue()).toBe(settings.scim.token);
    expect(await tokenField.getAttribute('type')).toBe('password'); // masked until Show
    scimToken = settings.scim.token;
    await screenshot(page, '21-security-saml-scim-on');
  });

  it('copies the SCIM URL and the real SCIM token, masked or not', async () => {
    await page.getByRole('button', { name: 'Copy SCIM URL' }).click();
    expect(await until(() => readClipboard(page), (v) => v === scimUrl())).toBe(scimUrl());
    await page.getByRole('button', { name: 'Copy SCIM Token' }).click();
    expect(await until(() => readClipboard(page), (v) => v === scimToken)).toBe(scimToken);
  });

  it('Regenerate asks first, then replaces the token at once, shown without a reload', async () => {
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the SCIM token?' });
    expect(await textOf(dialog)).toContain('stops working at once');
    await screenshot(page, '22-security-regenerate-dialog');
    await dialog.getByRole('button', { name: 'Regenerate token' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('New SCIM token generated').waitFor();
    const tokenField = page.getByLabel('SCIM Token', { exact: true });
    const fresh = await until(
      () => tokenField.inputValue(),
      (v) => v !== scimToken && v.length > 0,
    );
    expect(fresh).not.toBe(scimToken);
    const old = await request(live.http).get(`/scim/v2/${acme.slug}/Users`).set('authorization', `Bearer ${scimToken}`);
    expect(old.status).toBe(401);
    scimToken = fresh;
    const now = await request(live.http).get(`/scim/v2/${acme.slug}/Users`).set('authorization', `Bearer ${scimToken}`);
    expect(now.status).toBe(200);
  });

  it('a user provisioned over SCIM appears in the User List with no license; the admin assigns one', async () => {
    const created = await request(live.http)
      .post(`/scim/v2/${acme.slug}/Users`)
      .set('authorization', `Bearer ${scimToken}`)
      .set('content-type', 'application/scim+json')
      .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'sam@acme.test', name: { givenName: 'Sam', familyName: 'Sso' }, active: true });
    expect(created.status).toBe(201);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'User List' }).click();
    const row = page.getByRole('row').filter({ has: page.getByText('sam@acme.test', { exact: true }) });
    const rowText = await textOf(row);
    expect(rowText).toContain('SCIM');
    expect(rowText).toContain('None');
    await row.getByRole('button', { name: 'Edit User Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit User Settings' });
    await dialog.getByRole('group', { name: 'Product User Licenses' }).getByRole('checkbox', { name: 'CRM' }).check();
    await dialog.getByRole('button', { name: 'Save User Details' }).click();
    await dialog.waitFor({ state: 'detached' });
    await until(
      () => textOf(row),
      (t) => t.includes('CRM'),
    );
    const users = (await api.get('users?search=sam@acme.test')).body as { items: { licenses: string[] }[] };
    expect(users.items[0]?.licenses).toEqual(['crm']);
    await screenshot(page, '23-users-scim-user-licensed');
  });

  it('signs that user in by an IdP-initiated POST from another origin and shows the app page', async () => {
    // Shaped as Microsoft Entra sends it (NameID = UPN, emailaddress claim, assertion signed by samlify).
    const { base64: samlResponse } = await buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(), nameId: 'sam@acme.test' });
    const tab = await openTab(browser, live.baseUrl);
    try {
      // The IdP's auto-submitting form, on a page of no origin of ours (Origin: null).
      await tab.page.setContent(
        `<form method="post" action="${acsUrl()}"><input type="hidden" name="SAMLResponse" value="${samlResponse}"><button>Continue</button></form>`,
      );
      await tab.page.getByRole('button', { name: 'Continue' }).click();
      await tab.page.waitForURL(`**${url('app')}`);
      const main = tab.page.getByRole('main');
      await main.getByText('sam@acme.test', { exact: true }).waitFor();
      expect(await textOf(main.getByRole('definition').filter({ hasText: 'SAML' }))).toBe('SAML single sign-on');
      expect(await tab.page.getByRole('list', { name: 'Your licenses' }).getByRole('listitem').allInnerTexts()).toEqual(['CRM']);
      await screenshot(tab.page, '24-app-saml-user');
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it('the Audit Log shows the SAML login and the SCIM write', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Log' }).click();
    const rows = page.getByRole('row');
    await rows.filter({ hasText: 'SAML login' }).filter({ hasText: 'sam@acme.test' }).first().waitFor();
    await rows.filter({ hasText: 'SCIM' }).filter({ hasText: 'sam@acme.test' }).first().waitFor();
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('saml_login');
    const texts = await until(
      async () => (await rows.allInnerTexts()).slice(1),
      (all) => all.length > 0 && all.every((t) => t.includes('SAML login')),
    );
    expect(texts.every((t) => t.includes('SAML login'))).toBe(true);
    await screenshot(page, '25-audit-saml-scim');
  });

  it('with Enforce SAML Login on, the login page sends people to the identity provider', async () => {
    const tab = await openTab(browser, live.baseUrl);
    try {
      await tab.page.goto(url('login'));
      await tab.page.getByText('Sign in from your identity provider').waitFor();
      await tab.page.getByLabel('Email').fill(acme.admin.email);
      await tab.page.getByLabel('Password').fill(acme.admin.password);
      await tab.page.getByRole('button', { name: 'Sign in' }).click();
      expect(await textOf(tab.page.getByRole('alert'))).toContain('Sign in from your identity provider');
    } finally {
      await tab.context.close();
    }
    expect(admin.problems).toEqual([]);
  });

  it('the IdP deletes that user over SCIM: the User List shows "Removed by identity provider", licenses kept, Active locked', async () => {
    const found = await request(live.http)
      .get(`/scim/v2/${acme.slug}/Users?filter=${encodeURIComponent('userName eq "sam@acme.test"')}`)
      .set('authorization', `Bearer ${scimToken}`);
    const id = (found.body as { Resources: { id: string }[] }).Resources[0]!.id;
    const removed = await request(live.http).delete(`/scim/v2/${acme.slug}/Users/${id}`).set('authorization', `Bearer ${scimToken}`);
    expect(removed.status).toBe(204);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Log' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'User List' }).click();
    const row = page.getByRole('row').filter({ has: page.getByText('sam@acme.test', { exact: true }) });
    const rowText = await until(
      () => textOf(row),
      (t) => t.includes('Removed by identity provider'),
    );
    expect(rowText).toContain('CRM');
    await row.getByRole('button', { name: 'Edit User Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit User Settings' });
    const active = dialog.getByRole('checkbox', { name: 'Active' });
    expect(await active.isDisabled()).toBe(true);
    expect(await active.isChecked()).toBe(false);
    expect(await textOf(dialog)).toContain('Only the identity provider can bring them back');
    await screenshot(page, '26-users-removed-by-idp');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(admin.problems).toEqual([]);
  });
});

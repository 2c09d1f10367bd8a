import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { setUpSaml } from '../factories/saml.factory.js';
import { signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { PATCH_OP, ScimClient, USER_SCHEMA } from '../utils/scim-fixtures.js';
import { launchChromium, openTab, screenshot, startLiveApp, textOf, until, type ConsoleTab, type LiveApp } from './support/console-browser.js';

jest.setTimeout(90_000);

/**
 * Group licenses in a real browser: the System Admin gives a group CRM on the Groups page, a member
 * signs in by SAML and sees CRM on the app page; the member leaves the group and their next page
 * shows no CRM. The identity provider's side is SCIM, as Entra and Okta send it: users and the
 * groups with their members are pushed to /Users and /Groups, and the member leaves by a PATCH.
 */
describe('group licenses in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  let acme: TenantFixture;
  let api: Session;
  let admin: ConsoleTab;
  let page: Page;
  let idp: TestCertificate;
  let scim: ScimClient;
  let sam: { id: string };
  let sales: string;
  let member: ConsoleTab | undefined;
  const url = (path: string) => `/t/${acme.slug}/${path}`;
  const acsUrl = () => `${live.baseUrl}/saml/${acme.slug}/acs`;

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    acme = await createTenant(live, { name: 'Acme Corporation', admin: { givenName: 'Ada', familyName: 'Admin' } });
    api = await signIn(live, acme.slug, acme.admin.email, acme.admin.password);
    idp = generateTestCertificate({ cn: 'Acme Test IdP' });
    await setUpSaml(api, idp.certPem);
    const enabled = await api.put('settings/scim', { enabled: true });
    expect(enabled.status).toBe(200);
    scim = new ScimClient(live, acme.slug, (enabled.body as { scim: { token: string } }).scim.token);
    const provision = async (userName: string, givenName: string, familyName: string) => {
      const res = await scim.post('Users', { schemas: [USER_SCHEMA], userName, name: { givenName, familyName }, active: true });
      expect(res.status).toBe(201);
      return res.body as { id: string };
    };
    sam = await provision('sam@acme.test', 'Sam', 'Sales');
    const nora = await provision('nora@acme.test', 'Nora', 'Support');
    const push = async (displayName: string, members: string[], externalId?: string) => {
      const res = await scim.post('Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, externalId, members: members.map((value) => ({ value })) });
      expect(res.status).toBe(201);
      return (res.body as { id: string }).id;
    };
    sales = await push('Sales', [sam.id, nora.id], 'okta-00g1sales');
    await push('Support', [nora.id]);
    admin = await openTab(browser, live.baseUrl);
    page = admin.page;
    await page.goto(url('login'));
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill(acme.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${url('app')}`);
  });
  afterAll(async () => {
    await member?.context.close();
    await browser?.close();
    await live?.close();
  });

  const groupRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell').getByText(name, { exact: true }) });

  it('System Settings > Groups lists the groups with their member counts', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL(`**${url('settings/groups')}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Groups');
    const salesRow = await textOf(groupRow('Sales'));
    expect(salesRow).toContain('2 members');
    expect(salesRow).toContain('None');
    expect(await textOf(groupRow('Support'))).toContain('1 member');
    await page.getByRole('search', { name: 'Groups' }).getByRole('searchbox').fill('SUPP');
    await until(
      () => page.getByRole('row').count(),
      (n) => n === 2, // the header and Support
    );
    expect(await textOf(page.getByRole('table'))).not.toContain('Sales');
    await page.getByRole('search', { name: 'Groups' }).getByRole('searchbox').fill('');
    await groupRow('Sales').waitFor();
    await screenshot(page, '40-groups');
    expect(admin.problems).toEqual([]);
  });

  it('gives the Sales group CRM in the Edit Group Licenses dialog, and the API agrees', async () => {
    await groupRow('Sales').getByRole('button', { name: 'Edit Group Licenses' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Group Licenses' });
    await dialog.waitFor();
    const licenses = dialog.getByRole('group', { name: 'Product User Licenses' });
    for (const name of ['CRM', 'Marketing', 'Service']) expect(await licenses.getByRole('checkbox', { name }).isChecked()).toBe(false);
    await licenses.getByRole('checkbox', { name: 'CRM' }).check();
    await screenshot(page, '41-groups-edit-dialog');
    await dialog.getByRole('button', { name: 'Save Group Details' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await textOf(page.getByRole('status').filter({ hasText: 'Saved' }))).toBe('Saved the licenses of Sales.');
    const rowText = await until(
      () => textOf(groupRow('Sales')),
      (t) => t.includes('CRM'),
    );
    expect(rowText).toContain('CRM');
    // Keyboard focus returns to the row's button.
    expect(await groupRow('Sales').getByRole('button', { name: 'Edit Group Licenses' }).and(page.locator(':focus')).count()).toBe(1);
    const stored = (await api.get('groups?search=sales')).body as { items: { id: string; licenses: string[] }[] };
    expect(stored.items).toEqual([expect.objectContaining({ id: sales, licenses: ['crm'] })]);
  });

  it('the User List shows CRM as coming from Sales; the user dialog edits direct licenses only', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'User List' }).click();
    await page.waitForURL(`**${url('settings/users')}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('cell').getByText('sam@acme.test', { exact: true }) });
    expect(await textOf(row)).toContain('CRM (via Sales)');
    await row.getByRole('button', { name: 'Edit User Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit User Settings' });
    await dialog.waitFor();
    const licenses = dialog.getByRole('group', { name: 'Product User Licenses' });
    expect(await licenses.getByRole('checkbox', { name: 'CRM' }).isChecked()).toBe(false);
    expect(await textOf(licenses)).toContain('Licenses a group gives are set on the Groups page');
    expect(await textOf(licenses)).toContain('From groups: CRM (via Sales)');
    await screenshot(page, '42-users-group-license');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('a member signs in by SAML and sees CRM on the app page', async () => {
    const { base64: samlResponse } = await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(), nameId: 'sam@acme.test' });
    member = await openTab(browser, live.baseUrl);
    // The IdP's auto-submitting form, on a page of no origin of ours (Origin: null).
    await member.page.setContent(`<form method="post" action="${acsUrl()}"><input type="hidden" name="SAMLResponse" value="${samlResponse}"><button>Continue</button></form>`);
    await member.page.getByRole('button', { name: 'Continue' }).click();
    await member.page.waitForURL(`**${url('app')}`);
    const main = member.page.getByRole('main');
    await main.getByText('sam@acme.test', { exact: true }).waitFor();
    expect(await member.page.getByRole('list', { name: 'Your licenses' }).getByRole('listitem').allInnerTexts()).toEqual(['CRM']);
    expect(await textOf(main.getByRole('definition').filter({ hasText: /^Sales$/ }))).toBe('Sales'); // "Groups: Sales"
    await screenshot(member.page, '43-app-group-license');
    expect(member.problems).toEqual([]);
  });

  it('when the member leaves the group, their next page shows no CRM', async () => {
    // Entra's removal shape; the PATCH answers 204 and the change holds at once.
    const removed = await scim.patch(`Groups/${sales}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: sam.id }] }] });
    expect(removed.status).toBe(204);
    await member!.page.reload();
    const main = member!.page.getByRole('main');
    await main.getByText('sam@acme.test', { exact: true }).waitFor();
    await main.getByText('No licenses yet — ask your System Admin').waitFor();
    expect(await member!.page.getByRole('list', { name: 'Your licenses' }).count()).toBe(0);
    // And the admin's Groups page counts one member fewer.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    expect(await textOf(groupRow('Sales'))).toContain('1 member');
    expect(member!.problems).toEqual([]);
  });
});

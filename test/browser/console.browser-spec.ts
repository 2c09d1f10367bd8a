import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { createUser, signIn, type Session, type UserJson } from '../factories/session.factory.js';
import { queryDatabase } from '../utils/test-database.js';
import { launchChromium, openTab, readClipboard, screenshot, startLiveApp, textOf, until, type ConsoleTab, type LiveApp } from './support/console-browser.js';

/**
 * A System Admin's walk through the console in a real browser, against the real service and
 * database: sign in, the app page, the User List (licenses), the Audit Log, the security page's
 * initial state, and the login page's error states (saml-scim.browser-spec.ts does SAML and SCIM).
 */
// Real work (chromium and the service, sign-ins with scrypt); every wait inside is for a condition,
// so this bounds a busy machine, not a speed.
jest.setTimeout(180_000);

describe('admin console in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  let acme: TenantFixture;
  let api: Session;
  let admin: ConsoleTab;
  let page: Page;
  let grace: UserJson;

  beforeAll(async () => {
    live = await startLiveApp();
    browser = await launchChromium();
    acme = await createTenant(live, { name: 'Acme Corporation', admin: { givenName: 'Ada', familyName: 'Admin' } });
    api = await signIn(live, acme.slug, acme.admin.email, acme.admin.password);
    admin = await openTab(browser, live.baseUrl);
    page = admin.page;
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  const url = (path: string) => `/t/${acme.slug}/${path}`;

  it('sends an unauthenticated visit to a protected page to the login page', async () => {
    await page.goto(url('settings/users'));
    await page.waitForURL(`**${url('login')}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Sign in to Acme Corporation');
    await screenshot(page, '01-login');
  });

  it('says so when the password is wrong, as an alert', async () => {
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page.getByRole('alert'))).toBe('The email or password is not correct.');
    expect(page.url()).toBe(`${live.baseUrl}${url('login')}`);
    await screenshot(page, '02-login-wrong-password');
  });

  it('asks for the missing field before calling the server', async () => {
    await page.getByLabel('Email').fill('');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page.getByRole('alert'))).toBe('Enter your email address.');
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
  });

  it('signs the System Admin in and lands on the app page', async () => {
    await page.getByLabel('Email').fill(acme.admin.email);
    await page.getByLabel('Password').fill(acme.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${url('app')}`);
    const main = page.getByRole('main');
    expect(await textOf(main.getByRole('heading', { level: 1 }))).toBe('Welcome, Ada');
    await main.getByText(acme.admin.email, { exact: true }).waitFor();
    await main.getByText('Ada Admin', { exact: true }).waitFor();
    expect(await textOf(main.getByRole('definition').filter({ hasText: /^Password$/ }))).toBe('Password');
    expect(await textOf(main.getByText('No licenses yet — ask your System Admin'))).toBeTruthy();
    // The header: tenant name, navigation to the settings pages, Sign out.
    const banner = page.getByRole('banner');
    await banner.getByText('Acme Corporation').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Home', 'SAML and SCIM', 'User List', 'Audit Log']) await nav.getByRole('link', { name }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // System Admins also get the settings links in the page.
    await main.getByRole('link', { name: 'User List' }).waitFor();
    await screenshot(page, '03-app-admin');
  });

  it('shows the User List with status, source and last sign-in, and the no-license banner', async () => {
    grace = await createUser(api, { email: 'grace@acme.test', givenName: 'Grace', familyName: 'Hopper' });
    const linus = await createUser(api, { email: 'linus@acme.test', givenName: 'Linus', familyName: 'Torvalds' });
    await api.patch(`users/${linus.id}`, { licenses: ['crm', 'marketing'] });
    const old = await createUser(api, { email: 'old@acme.test', givenName: 'Olga', familyName: 'Old' });
    await api.patch(`users/${old.id}`, { active: false });
    // A user as SCIM creates one (source scim, no licenses), made directly: this test is about the list.
    const scimUser = await createUser(api, { email: 'provisioned@acme.test', givenName: 'Pat', familyName: 'Provisioned' });
    await queryDatabase(live.db, "UPDATE users SET source = 'scim' WHERE id = $1", [scimUser.id]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'User List' }).click();
    await page.waitForURL(`**${url('settings/users')}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('User List');
    // Active without a license: Ada (admin), Grace, Pat. Linus has two; Olga is inactive.
    const banner = page.getByText('Users provisioned over SCIM get no product licenses automatically', { exact: false });
    await banner.waitFor();
    expect(await textOf(page.getByText(/active users have no license/))).toContain('3 active users have no license');

    const row = (email: string) => page.getByRole('row').filter({ has: page.getByRole('cell').getByText(email, { exact: true }) });
    const linusRow = await textOf(row('linus@acme.test'));
    expect(linusRow).toContain('CRM');
    expect(linusRow).toContain('Marketing');
    expect(linusRow).toContain('Manual');
    expect(await textOf(row('old@acme.test'))).toContain('Inactive');
    expect(await textOf(row('provisioned@acme.test'))).toContain('SCIM');
    const adaRow = await textOf(row(acme.admin.email));
    expect(adaRow).toContain('System Admin');
    expect(adaRow).toContain('just now'); // signed in a moment ago
    expect(await textOf(row('grace@acme.test'))).toContain('Never');
    await screenshot(page, '04-users');
  });

  it('assigns licenses in the Edit User Settings dialog, and the API agrees', async () => {
    const row = page.getByRole('row').filter({ has: page.getByText('grace@acme.test', { exact: true }) });
    await row.getByRole('button', { name: 'Edit User Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit User Settings' });
    await dialog.waitFor();
    const licenses = dialog.getByRole('group', { name: 'Product User Licenses' });
    for (const name of ['CRM', 'Marketing', 'Service']) expect(await licenses.getByRole('checkbox', { name }).isChecked()).toBe(false);
    await licenses.getByRole('checkbox', { name: 'CRM' }).check();
    await licenses.getByRole('checkbox', { name: 'Service' }).check();
    expect(await dialog.getByRole('combobox', { name: 'Role' }).inputValue()).toBe('user');
    expect(await dialog.getByRole('checkbox', { name: 'Active' }).isChecked()).toBe(true);
    await screenshot(page, '05-users-edit-dialog');
    await dialog.getByRole('button', { name: 'Save User Details' }).click();
    await dialog.waitFor({ state: 'detached' });

    expect(await textOf(page.getByRole('status').filter({ hasText: 'Saved' }))).toBe('Saved the details of grace@acme.test.');
    const rowText = await until(
      () => textOf(row),
      (t) => t.includes('CRM'),
    );
    expect(rowText).toContain('CRM');
    expect(rowText).toContain('Service');
    expect(await textOf(page.getByText(/active users? ha(s|ve) no license/))).toContain('2 active users have no license');
    // Keyboard focus returns to the row's button.
    expect(await row.getByRole('button', { name: 'Edit User Settings' }).and(page.locator(':focus')).count()).toBe(1);

    const stored = await api.get(`users/${grace.id}`);
    expect(stored.body.licenses).toEqual(['crm', 'service']);
  });

  it('shows the API’s refusal in the dialog: the last System Admin cannot be demoted', async () => {
    const row = page.getByRole('row').filter({ has: page.getByText(acme.admin.email, { exact: true }) });
    await row.getByRole('button', { name: 'Edit User Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit User Settings' });
    await dialog.getByRole('combobox', { name: 'Role' }).selectOption('user');
    await dialog.getByRole('button', { name: 'Save User Details' }).click();
    expect(await textOf(dialog.getByRole('alert'))).toContain('last active System Admin');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api.get('me')).body.user.role).toBe('system_admin');
  });

  it('searches and pages the User List', async () => {
    for (let i = 0; i < 26; i++) await createUser(api, { email: `bulk${String(i).padStart(2, '0')}@acme.test`, givenName: `Bulk${i}` });
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'bulk00@acme.test' }).waitFor();
    expect(await textOf(page.getByText(/^1–25 of 31 users$/))).toBe('1–25 of 31 users');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await textOf(page.getByText(/^26–31 of 31 users$/))).toBe('26–31 of 31 users');
    await page.getByRole('row').filter({ hasText: 'provisioned@acme.test' }).waitFor();

    await page.getByRole('searchbox', { name: 'Search users' }).fill('hopper');
    await page.getByText(/^1–1 of 1 user$/).waitFor();
    expect(await page.getByRole('row').count()).toBe(2); // header + Grace
    await page.getByRole('row').filter({ hasText: 'grace@acme.test' }).waitFor();
  });

  it('lists audit records, newest first, filterable by kind and outcome', async () => {
    // More than one page (50) of records in all.
    for (let i = 0; i < 15; i++) await createUser(api, { email: `later${String(i).padStart(2, '0')}@acme.test` });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Log' }).click();
    await page.waitForURL(`**${url('settings/audit')}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Audit Log');
    const rows = page.getByRole('row');
    // Newest first: the last record is the last user created.
    const first = await textOf(rows.nth(1));
    expect(first).toContain('Settings');
    expect(first).toContain('User created');
    expect(first).toContain('later14@acme.test');
    await rows.filter({ hasText: 'Sign-in' }).filter({ hasText: acme.admin.email }).first().waitFor();
    await rows.filter({ hasText: 'User updated' }).filter({ hasText: 'grace@acme.test' }).first().waitFor();
    await screenshot(page, '06-audit');

    await page.getByRole('combobox', { name: 'Outcome' }).selectOption('failure');
    const failure = rows.filter({ hasText: 'wrong password' });
    await failure.waitFor();
    const failureText = await textOf(failure);
    expect(failureText).toContain('Sign-in');
    expect(failureText).toContain(acme.admin.email);
    expect(failureText).toContain('Failure');
    expect(await rows.count()).toBe(2);

    await page.getByRole('combobox', { name: 'Outcome' }).selectOption('');
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('settings');
    await until(
      async () => (await rows.allInnerTexts()).slice(1),
      (texts) => texts.length > 0 && texts.every((t) => t.includes('Settings')),
    );
    const kinds = (await rows.allInnerTexts()).slice(1);
    const settingsRecords = (await api.get('audit?kind=settings&limit=50')).body as { items: unknown[] };
    expect(kinds.length).toBe(settingsRecords.items.length);
    for (const t of kinds) expect(t).toContain('Settings');

    await page.getByRole('combobox', { name: 'Kind' }).selectOption('');
    // More than a page (50) of records: Older pages back with `next`.
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText('Page 2').waitFor();
    await rows.filter({ hasText: 'Organization created' }).waitFor();
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText('Page 1').waitFor();
  });

  it('shows the SAML and SCIM page with the names from the setup guides', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SAML and SCIM' }).click();
    await page.waitForURL(`**${url('settings/security')}`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('SAML and SCIM');
    const saml = page.getByRole('checkbox', { name: 'Enable SAML Sign-on' });
    expect(await saml.isChecked()).toBe(false);
    const signOn = page.getByRole('textbox', { name: 'Sign-on Page URL' });
    expect(await signOn.inputValue()).toBe(`${live.baseUrl}/saml/${acme.slug}/acs`);
    expect(await signOn.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByLabel('Verification Certificate').getAttribute('accept')).toBe('.cer,.crt,.pem,.xml');
    await page.getByText('No certificate uploaded yet.').waitFor();

    // Without a certificate Enforce SAML Login cannot be switched on, and says why.
    const enforce = page.getByRole('checkbox', { name: 'Enforce SAML Login' });
    expect(await enforce.isDisabled()).toBe(true);
    expect(await enforce.getAttribute('aria-describedby')).toBeTruthy();
    await page.getByText('Upload a verification certificate first.', { exact: true }).waitFor();

    // SCIM needs SAML with a certificate.
    const scim = page.getByRole('checkbox', { name: 'Enable SCIM Provisioning' });
    expect(await scim.isDisabled()).toBe(true);
    await page.getByText('SCIM needs SAML: enable SAML Sign-on and upload a verification certificate first.').waitFor();
    expect(await page.getByRole('textbox', { name: 'SCIM URL' }).inputValue()).toBe('');
    expect(await page.getByLabel('SCIM Token', { exact: true }).inputValue()).toBe('');
    expect(await page.getByRole('button', { name: 'Regenerate' }).isDisabled()).toBe(true);
    await page.getByText('SCIM never assigns product licenses').waitFor();
    await screenshot(page, '07-security-initial');

    // Copy sits beside the field and puts the real URL on the clipboard.
    await page.getByRole('button', { name: 'Copy Sign-on Page URL' }).click();
    await page.getByText('Copied to clipboard').waitFor();
    expect(await readClipboard(page)).toBe(`${live.baseUrl}/saml/${acme.slug}/acs`);

    // Changing a checkbox marks the form as unsaved.
    await saml.check();
    await page.getByText('Unsaved changes').waitFor();
    await saml.uncheck();
    expect(await page.getByText('Unsaved changes').isHidden()).toBe(true);
  });

  it('tells a non-admin that settings are for System Admins only, and shows their licenses', async () => {
    const plain = await createUser(api, { email: 'plain@acme.test', givenName: 'Paula', familyName: 'Plain', password: 'plain-password-123' });
    await api.patch(`users/${plain.id}`, { licenses: ['crm', 'marketing', 'service'] });
    const tab = await openTab(browser, live.baseUrl);
    try {
      await tab.page.goto(url('login'));
      await tab.page.getByLabel('Email').fill('plain@acme.test');
      await tab.page.getByLabel('Password').fill('plain-password-123');
      await tab.page.getByRole('button', { name: 'Sign in' }).click();
      await tab.page.waitForURL(`**${url('app')}`);
      const licenses = tab.page.getByRole('list', { name: 'Your licenses' });
      await licenses.waitFor();
      expect(await licenses.getByRole('listitem').allInnerTexts()).toEqual(['CRM', 'Marketing', 'Service']);
      // No settings navigation for a plain user.
      expect(await tab.page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      expect(await tab.page.getByRole('link', { name: 'User List' }).count()).toBe(0);
      await screenshot(tab.page, '08-app-user');

      for (const path of ['settings/users', 'settings/security', 'settings/audit']) {
        await tab.page.goto(url(path));
        await tab.page.getByText('Only System Admins can open this page').waitFor();
      }
      await screenshot(tab.page, '09-not-admin');
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it('signs out and closes the session server-side', async () => {
    await page.goto(url('app'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`**${url('login')}`);
    await page.goto(url('app'));
    await page.waitForURL(`**${url('login')}`);
    expect(admin.problems).toEqual([]);
  });

  it('explains a deactivated account and too many attempts (429, with when to retry)', async () => {
    const gone = await createUser(api, { email: 'gone@acme.test', password: 'gone-password-123' });
    await api.patch(`users/${gone.id}`, { active: false });
    await page.goto(url('login'));
    await page.getByLabel('Email').fill('gone@acme.test');
    await page.getByLabel('Password').fill('gone-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page.getByRole('alert'))).toBe('This account is deactivated. Ask your System Admin to reactivate it.');
    await screenshot(page, '10-login-deactivated');

    await page.getByLabel('Email').fill('grace@acme.test');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await until(
        () => page.getByRole('alert').innerText(),
        (t) => t.includes('not correct'),
      );
      await page.getByRole('alert').evaluate('(el) => el.replaceChildren()');
    }
    await page.getByLabel('Password').fill('wrong-again');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const text = await textOf(page.getByRole('alert'));
    expect(text).toMatch(/^Too many failed sign-in attempts\. Try again in 15 minutes \(after .+\)\.$/);
    await screenshot(page, '11-login-throttled');
  });

  it('says to sign in from the identity provider when Enforce SAML Login is on', async () => {
    const sso = await createTenant(live, { name: 'Globex' });
    // Set directly in the database: this test is about the login page (the settings API has its own).
    await queryDatabase(live.db, 'UPDATE tenant_security_settings SET saml_enabled = true, saml_enforce_login = true WHERE tenant_id = $1', [sso.id]);
    await page.goto(`/t/${sso.slug}/login`);
    await page.getByText('Sign in from your identity provider').waitFor();
    await page.getByLabel('Email').fill(sso.admin.email);
    await page.getByLabel('Password').fill(sso.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page.getByRole('alert'))).toBe('Password sign-in is turned off for this organization. Sign in from your identity provider.');
    await screenshot(page, '12-login-saml-enforced');
  });

  it('says so when the organization does not exist', async () => {
    await page.goto('/t/no-such-org/login');
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Organization not found');
    await page.goto('/');
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Sign in to your organization');
    await page.getByLabel('Organization ID').fill(acme.slug);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`**${url('login')}`);
    await screenshot(page, '13-home');
    expect(admin.problems).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectRefused, expectSignedIn } from '../../factories/saml.factory.js';
import type { Session } from '../../factories/session.factory.js';
import type { TenantFixture } from '../../factories/tenant.factory.js';
import { createSamlScimTenant, PATCH_OP, type SamlScimTenantFixture, type ScimClient, scimError, USER_SCHEMA } from '../../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../../utils/test-app.js';
import { queryDatabase } from '../../utils/test-database.js';

const ATTACKER = 'mallory@idp-controlled.test';

/** A SCIM token cannot take over a System Admin (contract section 4, last paragraph). */
describe('SCIM and System Admins', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let scim: ScimClient;
  let samlAs: SamlScimTenantFixture['samlAs'];

  beforeAll(async () => {
    t = await startTestApp();
    ({ tenant, admin, scim, samlAs } = await createSamlScimTenant(t));
  });
  afterAll(async () => {
    await t.close();
  });

  const adminRow = async () =>
    (await queryDatabase<{ email: string; active: boolean; role: string; version: number }>(t.db, 'SELECT email, active, role, version FROM users WHERE tenant_id = $1 AND id = $2', [
      tenant.id,
      admin.user.id,
    ]))[0];

  it('refuses to change the userName of a console-created System Admin (PATCH with and without path, PUT): 400 mutability, nothing changed', async () => {
    const before = await adminRow();
    const name = { givenName: 'Ada', familyName: 'Admin' };
    for (const res of [
      await scim.patch(`Users/${admin.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: ATTACKER }] }),
      await scim.patch(`Users/${admin.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', value: { userName: ATTACKER } }] }),
      await scim.patch(`Users/${admin.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'userName', value: ATTACKER }] }),
      await scim.put(`Users/${admin.user.id}`, { schemas: [USER_SCHEMA], userName: ATTACKER, name, active: true }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(scimError(400, 'mutability', `${tenant.admin.email} is a System Admin: its userName (the sign-in identity) cannot be changed over SCIM; to rename it, make it a regular user in Latchkey first`));
    }
    expect(await adminRow()).toEqual(before);
    const audit = await queryDatabase<{ outcome: string; reason: string }>(
      t.db,
      "SELECT outcome, reason FROM audit_events WHERE tenant_id = $1 AND kind = 'scim' ORDER BY id DESC LIMIT 1",
      [tenant.id],
    );
    expect(audit[0]).toMatchObject({ outcome: 'failure', reason: expect.stringMatching(/^400 mutability: .* is a System Admin/) });
    // The attacker's address signs in as nobody; the admin's own still works.
    expectRefused(await samlAs(ATTACKER), 403, `No account for ${ATTACKER} in this organization`);
    expectSignedIn(await samlAs(tenant.admin.email), `/t/${tenant.slug}/app`);
  });

  it('takes a change of letter case only (the same identity) from an IdP that sends the admin back as it knows it', async () => {
    const upper = tenant.admin.email.toUpperCase();
    const res = await scim.put(`Users/${admin.user.id}`, { schemas: [USER_SCHEMA], userName: upper, name: { givenName: 'Ada', familyName: 'Admin' }, active: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userName: upper, active: true });
    const back = await scim.patch(`Users/${admin.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: tenant.admin.email }] });
    expect(back.status).toBe(200);
    expect((await adminRow())?.email).toBe(tenant.admin.email);
  });

  it('refuses to deactivate the last active System Admin by DELETE, PATCH or PUT: 409 naming why, still active', async () => {
    const before = await adminRow();
    for (const res of [
      await scim.delete(`Users/${admin.user.id}`),
      await scim.patch(`Users/${admin.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }),
      await scim.put(`Users/${admin.user.id}`, { schemas: [USER_SCHEMA], userName: tenant.admin.email, name: { givenName: 'Ada', familyName: 'Admin' }, active: 'False' }),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body).toEqual(scimError(409, undefined, expect.stringContaining('is the last active System Admin of this tenant')));
    }
    expect(await adminRow()).toEqual(before);
    expect((await admin.get('me')).status).toBe(200);
  });

  it('still renames a regular user, and a former admin once the role is revoked in Latchkey', async () => {
    const created = await admin.post('users', { email: 'second@acme.test', givenName: 'Sec', familyName: 'Ond', role: 'system_admin' });
    expect(created.status).toBe(201);
    const second = created.body as { id: string };
    const refused = await scim.patch(`Users/${second.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'renamed@acme.test' }] });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(scimError(400, 'mutability', expect.stringContaining('second@acme.test is a System Admin')));
    expect((await admin.patch(`users/${second.id}`, { role: 'user' })).status).toBe(200);
    const renamed = await scim.patch(`Users/${second.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'renamed@acme.test' }] });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ userName: 'renamed@acme.test' });
  });
});

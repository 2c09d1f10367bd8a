import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { QueryRunner } from 'typeorm';
import { EmailKey1795510000000 } from '../../src/database/migrations/1795510000000-email-key.js';
import { emailKeySql } from '../../src/users/email-key.js';
import { expectRefused, expectSignedIn, lastSamlAudit } from '../factories/saml.factory.js';
import { createUser, login, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { createSamlScimTenant, LIST_RESPONSE, type SamlScimTenantFixture, type ScimClient, scimError, USER_SCHEMA } from '../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { createEmptyDatabase, queryDatabase } from '../utils/test-database.js';

const DOTTED_I = '\u0130'; // İ, which lower() folds to i under the database's locale
const KELVIN = '\u212A'; // K (Kelvin sign), which lower() folds to k

/** The admin's address with one lookalike letter: `admİn@…` and `admin@…` with the Kelvin sign in the domain. */
function lookalikes(email: string): string[] {
  const [local, domain] = email.split('@') as [string, string];
  return [`${local.replace('i', DOTTED_I)}@${domain}`, `${local}@${domain.replace(/k/, KELVIN)}`];
}

describe('one email key: lookalike letters find nobody, ASCII case still does', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let scim: ScimClient;
  let saml: SamlScimTenantFixture['samlAs'];
  let spoofs: string[];

  beforeAll(async () => {
    t = await startTestApp();
    ({ tenant, admin, scim, samlAs: saml } = await createSamlScimTenant(t, { admin: { email: 'admin@kelvin.test' } }));
    spoofs = lookalikes(tenant.admin.email);
    expect(spoofs.every((s) => s !== tenant.admin.email && [...s].some((c) => c.codePointAt(0)! > 0x7f))).toBe(true);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a signed NameID with İ or the Kelvin sign does not sign in as the admin: 403 unknown user page', async () => {
    for (const nameId of spoofs) {
      const res = await saml(nameId);
      expectRefused(res, 403, 'in this organization; ask your System Admin');
      expect(res.text).not.toContain('Set-Cookie');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ actor: nameId, outcome: 'failure', reason: `no user matches "${nameId}"` });
    }
  });

  it('the admin\'s address in upper case still signs in by SAML', async () => {
    expectSignedIn(await saml(tenant.admin.email.toUpperCase()), `/t/${tenant.slug}/app`);
  });

  it('SCIM userName eq / emails.value eq with a lookalike returns no user; in upper case it returns the admin', async () => {
    for (const spoof of spoofs) {
      for (const filter of [`userName eq "${spoof}"`, `emails.value eq "${spoof}"`, `emails[type eq "work"].value eq "${spoof}"`]) {
        const res = await scim.get(`Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 0, Resources: [] });
      }
    }
    const upper = await scim.get(`Users?filter=${encodeURIComponent(`userName eq "${tenant.admin.email.toUpperCase()}"`)}`);
    expect(upper.status).toBe(200);
    expect(upper.body).toMatchObject({ totalResults: 1, Resources: [{ userName: tenant.admin.email }] });
  });

  it('password sign-in with a lookalike and the admin\'s own password does not reach the admin (401)', async () => {
    for (const spoof of spoofs) {
      const res = await login(t, tenant.slug, spoof, tenant.admin.password);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_credentials', message: 'The email or password is not correct' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await login(t, tenant.slug, tenant.admin.email.toUpperCase(), tenant.admin.password)).status).toBe(200);
  });

  it('refuses to create a lookalike address (the email check takes ASCII addresses only), in the API and over SCIM', async () => {
    for (const spoof of spoofs) {
      const res = await admin.post('users', { email: spoof, givenName: 'Eve', familyName: 'Spoof' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.stringContaining('email must be an email address') });
      const viaScim = await scim.post('Users', { schemas: [USER_SCHEMA], userName: spoof, name: { givenName: 'Eve', familyName: 'Spoof' } });
      expect(viaScim.status).toBe(400);
      expect(viaScim.body).toEqual(scimError(400, 'invalidValue', 'userName must be an email address'));
    }
    const rows = await queryDatabase(t.db, 'SELECT email FROM users WHERE tenant_id = $1', [tenant.id]);
    expect(rows).toEqual([{ email: tenant.admin.email }]);
  });

  it('keeps uniqueness by the key: the admin\'s address in another ASCII case is taken', async () => {
    const res = await admin.post('users', { email: tenant.admin.email.toUpperCase(), givenName: 'Ada', familyName: 'Again' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'email_taken' });
    const viaScim = await scim.post('Users', { schemas: [USER_SCHEMA], userName: tenant.admin.email.toUpperCase(), name: { givenName: 'A', familyName: 'B' } });
    expect(viaScim.status).toBe(409);
    expect(viaScim.body).toEqual(scimError(409, 'uniqueness'));
  });

  it('the SQL key is the JavaScript key: translate() changes exactly A-Z, on every code point', async () => {
    const rows = await queryDatabase<{ cps: number[] | null; bad: number }>(
      t.db,
      `SELECT array_agg(cp ORDER BY cp) FILTER (WHERE k <> chr(cp)) AS cps, count(*) FILTER (WHERE k <> chr(cp) AND k <> chr(cp + 32))::int AS bad
       FROM (SELECT cp, ${emailKeySql('chr(cp)')} AS k FROM generate_series(1, 1114111) AS cp WHERE cp NOT BETWEEN 55296 AND 57343) s`,
    );
    expect(rows[0]).toEqual({ cps: Array.from({ length: 26 }, (_, i) => 65 + i), bad: 0 });
  });
});

describe('the login throttle keys accounts by the lookup key', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('once admin@ is throttled, ADMIN@ is throttled too, and admİn@ (another key, nobody) never reaches the admin', async () => {
    for (let i = 0; i < 5; i++) expect((await login(t, tenant.slug, tenant.admin.email, 'wrong password!')).status).toBe(401);
    const upper = await login(t, tenant.slug, tenant.admin.email.toUpperCase(), tenant.admin.password);
    expect(upper.status).toBe(429);
    expect(upper.body).toMatchObject({ error: 'too_many_attempts' });
    // Before the fix: lower() found the admin, toLowerCase() keyed a fresh counter: 200 and a session.
    const [dotted] = lookalikes(tenant.admin.email);
    const spoof = await login(t, tenant.slug, dotted!, tenant.admin.password);
    expect(spoof.status).toBe(401);
    expect(spoof.body).toEqual({ error: 'invalid_credentials', message: 'The email or password is not correct' });
    const keys = await queryDatabase<{ key: string }>(t.db, "SELECT key FROM login_throttle WHERE tenant_id = $1 AND key LIKE 'account:%' ORDER BY key", [tenant.id]);
    expect(keys.map((k) => k.key).sort()).toEqual([`account:${tenant.admin.email}`, `account:${dotted!}`].sort());
  });
});

describe('migration to the email key', () => {
  it('keeps users written under lower(email) findable in any ASCII case, and unique by the key', async () => {
    const db = await createEmptyDatabase();
    try {
      let t = await startTestApp({}, db);
      let tenant: TenantFixture;
      let user: { id: string };
      try {
        tenant = await createTenant(t, { admin: { email: 'Ada.Admin@Acme.test' } });
        const admin = await signIn(t, tenant.slug, 'ada.admin@acme.test', tenant.admin.password);
        user = await createUser(admin, { email: 'Bob.Builder@Acme.test', password: 'bob password 123' });
      } finally {
        await t.close();
      }
      // Back to the lower(email) index the data was written under, then start again: the migration runs on it.
      const runner = { query: (sql: string) => queryDatabase(db, sql) } as unknown as QueryRunner;
      await new EmailKey1795510000000().down(runner);
      await queryDatabase(db, "DELETE FROM migrations WHERE name = 'EmailKey1795510000000'");
      const [old] = await queryDatabase<{ indexdef: string }>(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_tenant_email_key'");
      expect(old?.indexdef).toContain('lower((email)::text)');
      t = await startTestApp({}, db);
      try {
        const [index] = await queryDatabase<{ indexdef: string }>(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_tenant_email_key'");
        expect(index?.indexdef).toMatch(/\(tenant_id, translate\(\(email\)::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'::text, 'abcdefghijklmnopqrstuvwxyz'::text\)\)/);
        expect((await login(t, tenant.slug, 'ADA.ADMIN@ACME.TEST', tenant.admin.password)).status).toBe(200);
        const bob = await login(t, tenant.slug, 'bob.builder@acme.test', 'bob password 123');
        expect(bob.status).toBe(200);
        expect(bob.body).toMatchObject({ user: { id: user.id, email: 'Bob.Builder@Acme.test' } });
        const admin = await signIn(t, tenant.slug, 'ada.admin@acme.test', tenant.admin.password);
        const dup = await admin.post('users', { email: 'BOB.builder@acme.TEST', givenName: 'B', familyName: 'B' });
        expect(dup.status).toBe(409);
        expect(dup.body).toMatchObject({ error: 'email_taken' });
      } finally {
        await t.close();
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { acsUrl, expectRefused, expectSignedIn, lastSamlAudit, postAcs, setUpSaml } from '../factories/saml.factory.js';
import { createUser, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse, signAssertionWithDsaDirectly } from '../utils/fake-idp.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const ALICE = 'alice@acme.test';

describe('SAML across instances, clock skew setting, DSA', () => {
  let a: TestApp;
  let b: TestApp; // a second instance on the same database
  let strict: TestApp; // a third, with SAML_CLOCK_SKEW_SECONDS=10
  let tenant: TenantFixture;
  let admin: Session;
  let rsa: TestCertificate;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({}, a.db);
    strict = await startTestApp({ SAML_CLOCK_SKEW_SECONDS: '10' }, a.db);
    tenant = await createTenant(a);
    admin = await signIn(a, tenant.slug, tenant.admin.email, tenant.admin.password);
    rsa = generateTestCertificate({ cn: 'Fake Okta' });
    await createUser(admin, { email: ALICE });
    await setUpSaml(admin, rsa.certPem);
  });
  afterAll(async () => {
    await strict.close();
    await b.close();
    await a.close();
  });

  const okta = (o: Parameters<typeof buildIdpResponse>[0] extends infer O ? Partial<O> : never = {}) =>
    buildIdpResponse({ preset: 'okta', key: rsa.keyPem, cert: rsa.certPem, acsUrl: acsUrl(tenant.slug), nameId: ALICE, ...o });

  it('refuses a replay on another instance of the same database', async () => {
    const r = await okta();
    expectSignedIn(await postAcs(a, tenant.slug, r.base64), `/t/${tenant.slug}/app`);
    const replay = await postAcs(b, tenant.slug, r.base64);
    expectRefused(replay, 403, 'This SAML response has already been used');
    expect(await lastSamlAudit(b, tenant.id)).toMatchObject({ outcome: 'failure', reason: `assertion ${r.assertionId} was already used` });
    // and the other way round
    const r2 = await okta();
    expectSignedIn(await postAcs(b, tenant.slug, r2.base64), `/t/${tenant.slug}/app`);
    expectRefused(await postAcs(a, tenant.slug, r2.base64), 403, 'already been used');
  });

  it('sees a certificate change made through another instance at once (no in-process cache)', async () => {
    const next = generateTestCertificate({ cn: 'Fake Okta (rotated)' });
    const signedWithNext = await okta({ key: next.keyPem, cert: next.certPem });
    expectRefused(await postAcs(b, tenant.slug, signedWithNext.base64), 403, 'signature does not verify');
    expect((await admin.post('settings/saml/certificate', { certificate: next.certPem })).status).toBe(200); // via instance a
    expectSignedIn(await postAcs(b, tenant.slug, (await okta({ key: next.keyPem, cert: next.certPem })).base64), `/t/${tenant.slug}/app`);
    expectRefused(await postAcs(b, tenant.slug, (await okta()).base64), 403, 'signature does not verify'); // old key no longer trusted
    await admin.post('settings/saml/certificate', { certificate: rsa.certPem });
  });

  it('applies SAML_CLOCK_SKEW_SECONDS: 30 s past NotOnOrAfter passes with 60 s, fails with 10 s', async () => {
    const past = new Date(Date.now() - 30_000);
    expectSignedIn(await postAcs(a, tenant.slug, (await okta({ notOnOrAfter: past, subjectNotOnOrAfter: past })).base64), `/t/${tenant.slug}/app`);
    expectRefused(await postAcs(strict, tenant.slug, (await okta({ notOnOrAfter: past, subjectNotOnOrAfter: past })).base64), 403, 'has expired');
    const future = new Date(Date.now() + 30_000);
    expectRefused(await postAcs(strict, tenant.slug, (await okta({ notBefore: future })).base64), 403, 'not valid yet');
  });

  it('purges expired assertion IDs', async () => {
    await queryDatabase(a.db, "INSERT INTO saml_assertion_ids (tenant_id, assertion_id, expires_at) VALUES ($1, 'old-one', now() - interval '1 minute')", [tenant.id]);
    const { HousekeepingService } = await import('../../src/housekeeping/housekeeping.service.js');
    await a.app.get(HousekeepingService).runOnce();
    const rows = await queryDatabase(a.db, "SELECT 1 FROM saml_assertion_ids WHERE assertion_id = 'old-one'");
    expect(rows).toHaveLength(0);
    const live = await queryDatabase(a.db, 'SELECT count(*)::int AS n FROM saml_assertion_ids WHERE tenant_id = $1', [tenant.id]);
    expect((live[0] as { n: number }).n).toBeGreaterThan(0);
  });

  describe('DSA', () => {
    let dsa: TestCertificate;
    let dsaTenant: TenantFixture;
    beforeAll(async () => {
      dsa = generateTestCertificate({ type: 'dsa', cn: 'Legacy DSA IdP' });
      dsaTenant = await createTenant(a);
      const dsaAdmin = await signIn(a, dsaTenant.slug, dsaTenant.admin.email, dsaTenant.admin.password);
      await createUser(dsaAdmin, { email: ALICE });
      const upload = await dsaAdmin.post('settings/saml/certificate', { certificate: dsa.certPem });
      expect(upload.status).toBe(200);
      expect(upload.body.saml.certificates[0]).toMatchObject({ keyAlgorithm: 'DSA', keySize: 2048 });
      expect((await dsaAdmin.put('settings/saml', { enabled: true })).status).toBe(200);
    }, 60_000);

    // First, before samlify's DSA registration touches the shared xml-crypto: only the app's own hook can verify this.
    it('accepts a DSA-SHA256 assertion signed with xml-crypto directly (proves the app registers DSA itself)', async () => {
      const unsigned = await buildIdpResponse({ preset: 'entra', key: dsa.keyPem, cert: dsa.certPem, acsUrl: acsUrl(dsaTenant.slug), nameId: ALICE, sign: 'none' });
      const xml = signAssertionWithDsaDirectly(unsigned.xml, dsa.keyPem, dsa.certPem);
      expect(xml).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2009/xmldsig11#dsa-sha256"/>');
      expectSignedIn(await postAcs(a, dsaTenant.slug, Buffer.from(xml).toString('base64')), `/t/${dsaTenant.slug}/app`);
    });

    it.each(['entra', 'okta'] as const)('accepts a DSA-SHA256 signed response (%s shape)', async (preset) => {
      const r = await buildIdpResponse({ preset, key: dsa.keyPem, cert: dsa.certPem, acsUrl: acsUrl(dsaTenant.slug), nameId: ALICE, signatureAlgorithm: 'dsa-sha256' });
      expect(r.xml).toContain('http://www.w3.org/2009/xmldsig11#dsa-sha256');
      expectSignedIn(await postAcs(b, dsaTenant.slug, r.base64), `/t/${dsaTenant.slug}/app`);
    });

    it('refuses a DSA response modified after signing, or signed by another DSA key', async () => {
      const tampered = await buildIdpResponse({
        preset: 'entra', key: dsa.keyPem, cert: dsa.certPem, acsUrl: acsUrl(dsaTenant.slug), nameId: ALICE, signatureAlgorithm: 'dsa-sha256',
        afterSign: (xml) => xml.replace('>alice@acme.test<', `>${dsaTenant.admin.email}<`),
      });
      expectRefused(await postAcs(a, dsaTenant.slug, tampered.base64), 403, 'signature does not verify');
      const otherDsa = generateTestCertificate({ type: 'dsa' });
      const foreign = await buildIdpResponse({ preset: 'entra', key: otherDsa.keyPem, cert: otherDsa.certPem, acsUrl: acsUrl(dsaTenant.slug), nameId: ALICE, signatureAlgorithm: 'dsa-sha256' });
      expectRefused(await postAcs(a, dsaTenant.slug, foreign.base64), 403, 'signature does not verify');
    }, 60_000);

    it('refuses an RSA signature relabelled as DSA-SHA256 (key/algorithm confusion)', async () => {
      const r = await buildIdpResponse({ preset: 'entra', key: rsa.keyPem, cert: rsa.certPem, acsUrl: acsUrl(dsaTenant.slug), nameId: ALICE });
      const relabelled = Buffer.from(r.xml.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2009/xmldsig11#dsa-sha256')).toString('base64');
      expectRefused(await postAcs(a, dsaTenant.slug, relabelled), 403, 'signature does not verify');
    });
  });
});

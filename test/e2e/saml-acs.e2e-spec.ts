import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { acsUrl, createSamlTenant, expectRefused, expectSignedIn, lastSamlAudit, postAcs, setUpSaml } from '../factories/saml.factory.js';
import { createUser, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { oktaMetadata } from '../fixtures/saml/idp-metadata.js';
import { buildIdpResponse, PRESETS, STATUS, type IdpResponseOptions } from '../utils/fake-idp.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import {
  duplicateAssertion,
  replaceNameId,
  xswEvilFirst,
  xswOriginalInExtensions,
  xswOriginalInsideEvil,
  xswResponseInSignatureObject,
} from '../utils/xml-attacks.js';

const ALICE = 'alice@acme.test';
const MIN = 60_000;

describe('SAML ACS (IdP-initiated sign-on)', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let idp: TestCertificate; // the tenant's IdP key, RSA-2048
  let attacker: TestCertificate; // a key the tenant never trusted
  let acs: string;

  /** A response from the tenant's IdP, signed with its key. */
  const entra = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const okta = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const post = (base64: string, relayState?: string) => postAcs(t, tenant.slug, base64, relayState);
  const home = () => `/t/${tenant.slug}/app`;

  beforeAll(async () => {
    t = await startTestApp();
    idp = generateTestCertificate({ cn: 'Fake IdP' });
    attacker = generateTestCertificate({ cn: 'Fake IdP' }); // same name, other key
    ({ tenant, admin, acs } = await createSamlTenant(t, idp.certPem, ALICE));
  });
  afterAll(async () => {
    await t.close();
  });

  describe('accepted responses', () => {
    it('Entra shape, assertion signed (RSA-SHA256): signs Alice in, session works, audit says success', async () => {
      const r = await entra({ nameId: 'ALICE@acme.test' }); // UPN in another case: matched case-insensitively
      // Only the assertion carries a signature (Entra's default).
      expect(r.xml.match(/<ds:Signature[ >]/g)).toHaveLength(1);
      expect(r.xml).toMatch(/<Assertion [^>]*><Issuer>[^<]*<\/Issuer><ds:Signature/);
      const res = await post(r.base64);
      const cookie = expectSignedIn(res, home());
      const me = await request(t.http).get(`/api/t/${tenant.slug}/me`).set('cookie', cookie);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { email: ALICE, lastLoginAt: expect.any(String) }, signInMethod: 'saml' });
      const audit = await lastSamlAudit(t, tenant.id);
      expect(audit).toMatchObject({ actor: 'ALICE@acme.test', target: ALICE, outcome: 'success', reason: null });
      expect(audit.details).toMatchObject({ assertionId: r.assertionId });
      // The SAMLResponse is neither logged nor audited.
      expect(t.logs.join('\n')).not.toContain(r.base64.slice(0, 40));
    });

    it('Okta shape, Response signed (RSA-SHA256), NameID format emailAddress', async () => {
      const r = await okta();
      expect(r.xml.match(/<ds:Signature[ >]/g)).toHaveLength(1);
      expect(r.xml).toMatch(/<saml2p:Response[^>]*>\s*<saml2:Issuer[^>]*>[^<]*<\/saml2:Issuer>\s*<ds:Signature/);
      expectSignedIn(await post(r.base64), home());
    });

    it('Response and Assertion both signed', async () => {
      expectSignedIn(await post((await okta({ sign: 'both' })).base64), home());
    });

    it('Entra with a UPN NameID that is no user: falls back to the emailaddress claim', async () => {
      const r = await entra({ nameId: 'alice.upn@acmecorp.onmicrosoft.com', email: ALICE });
      expectSignedIn(await post(r.base64), home());
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ actor: 'alice.upn@acmecorp.onmicrosoft.com', target: ALICE, outcome: 'success' });
    });

    it('accepts the IdP cross-site POST (Origin null or a foreign origin), without a CSRF token', async () => {
      const r = await okta();
      const res = await request(t.http).post(`/saml/${tenant.slug}/acs`).set('origin', 'https://login.microsoftonline.com').type('form').send({ SAMLResponse: r.base64 });
      expectSignedIn(res, home());
    });
  });

  describe('signatures', () => {
    it('refuses an unsigned response', async () => {
      const res = await post((await entra({ sign: 'none' })).base64);
      expectRefused(res, 403, 'The SAML response is not signed');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: 'neither the Response nor the Assertion carries a signature' });
    });

    it('refuses a response signed by another key (its own certificate in KeyInfo is not trusted)', async () => {
      const r = await entra({ key: attacker.keyPem, cert: attacker.certPem });
      expect(r.xml).toContain('<ds:X509Certificate>');
      const res = await post(r.base64);
      expectRefused(res, 403, 'signature does not verify with the certificate uploaded');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: expect.stringMatching(/^Invalid signature: it does not verify with any of the 1 uploaded certificate/) });
    });

    it('refuses an assertion modified after signing (NameID changed to the admin)', async () => {
      const r = await entra({ afterSign: (xml) => replaceNameId(xml, tenant.admin.email) });
      expectRefused(await post(r.base64), 403, 'signature does not verify');
    });

    it('refuses a signed Response modified after signing', async () => {
      const r = await okta({ afterSign: (xml) => replaceNameId(xml, tenant.admin.email) });
      expectRefused(await post(r.base64), 403, 'signature does not verify');
    });

    it('refuses RSA-SHA1 (SHA-256 or stronger only)', async () => {
      const r = await entra({ signatureAlgorithm: 'rsa-sha1' });
      expect(r.xml).toContain('xmldsig#rsa-sha1');
      const res = await post(r.base64);
      expectRefused(res, 403, 'signed with SHA-1, which is not accepted');
      expect((await lastSamlAudit(t, tenant.id)).reason).toContain('http://www.w3.org/2000/09/xmldsig#rsa-sha1 is not accepted');
    });

    it('accepts RSA-SHA512', async () => {
      expectSignedIn(await post((await okta({ signatureAlgorithm: 'rsa-sha512' })).base64), home());
    });

    it.each([
      ['evil assertion before the signed one', xswEvilFirst],
      ['signed assertion wrapped inside an evil one', xswOriginalInsideEvil],
      ['evil assertion with the copied signature, signed original moved to samlp:Extensions', xswOriginalInExtensions],
    ])('refuses signature wrapping (%s)', async (_name, wrap) => {
      const r = await entra({ afterSign: (xml) => wrap(xml, tenant.admin.email) });
      const res = await post(r.base64);
      expectRefused(res, 403, 'must contain exactly one assertion');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', actor: null });
    });

    it('refuses signature wrapping of a signed Response (evil root, signed original inside ds:Object)', async () => {
      const r = await okta({ afterSign: (xml) => xswResponseInSignatureObject(xml, tenant.admin.email) });
      expectRefused(await post(r.base64), 403, 'must contain exactly one assertion');
    });

    it('refuses a signed Response with two assertions', async () => {
      const r = await okta({ beforeSign: duplicateAssertion });
      const res = await post(r.base64);
      expectRefused(res, 403, 'must contain exactly one assertion');
      expect((await lastSamlAudit(t, tenant.id)).reason).toBe('Response contains 2 Assertion elements; exactly one is required');
    });

    it('reads NameID from the signed bytes: a comment injected after signing does not sign in alice@acme.test', async () => {
      const evil = 'alice@acme.test.evil.test';
      const r = await okta({ nameId: evil, afterSign: (xml) => xml.replace(evil, 'alice@acme.test<!---->.evil.test') });
      expect(r.xml).toContain('alice@acme.test<!---->.evil.test');
      const res = await post(r.base64);
      expectRefused(res, 403, 'No account for alice@acme.test.evil.test in this organization; ask your System Admin');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ actor: evil, outcome: 'failure' });
    });

    it('the same with the comment inside the signed NameID of an Entra assertion', async () => {
      const r = await entra({ nameIdRaw: 'alice@acme.test<!---->.evil.test', email: 'alice@acme.test.evil.test' });
      expectRefused(await post(r.base64), 403, 'No account for alice@acme.test.evil.test');
    });
  });

  describe('conditions', () => {
    it('refuses an expired assertion', async () => {
      const now = new Date(Date.now() - 2 * 60 * MIN);
      const res = await post((await entra({ now })).base64);
      expectRefused(res, 403, 'The SAML response has expired');
      expect((await lastSamlAudit(t, tenant.id)).reason).toMatch(/^node-saml: SAML assertion expired/);
    });

    it('refuses an assertion whose SubjectConfirmationData NotOnOrAfter is past (Conditions still valid)', async () => {
      const res = await post((await entra({ subjectNotOnOrAfter: new Date(Date.now() - 5 * MIN) })).base64);
      expectRefused(res, 403, 'The SAML response has expired');
      expect((await lastSamlAudit(t, tenant.id)).reason).toMatch(/^SubjectConfirmationData NotOnOrAfter .* is past/);
    });

    it('refuses an assertion that is not yet valid', async () => {
      const res = await post((await entra({ notBefore: new Date(Date.now() + 10 * MIN) })).base64);
      expectRefused(res, 403, 'not valid yet');
    });

    it('tolerates clock skew within SAML_CLOCK_SKEW_SECONDS (60 s): NotOnOrAfter 30 s ago, NotBefore 30 s ahead', async () => {
      const past = new Date(Date.now() - 30_000);
      expectSignedIn(await post((await okta({ notOnOrAfter: past, subjectNotOnOrAfter: past })).base64), home());
      expectSignedIn(await post((await okta({ notBefore: new Date(Date.now() + 30_000) })).base64), home());
    });

    it('refuses a wrong audience', async () => {
      const res = await post((await entra({ audience: 'https://other-sp.test/saml' })).base64);
      expectRefused(res, 403, 'issued for another application (audience)');
      expect((await lastSamlAudit(t, tenant.id)).reason).toMatch(/audience mismatch/);
    });

    it('refuses a wrong Destination', async () => {
      const res = await post((await okta({ destination: 'https://evil.test/saml/acs' })).base64);
      expectRefused(res, 403, 'addressed to another sign-on URL');
      expect((await lastSamlAudit(t, tenant.id)).reason).toBe(`Response Destination is "https://evil.test/saml/acs", expected "${acs}"`);
    });

    it('keeps what an unauthenticated response can write to the audit log and the log short', async () => {
      // Long, but inside the XML attribute length limit (8 KiB), so it reaches the Destination check.
      const huge = `https://evil.test/${'x'.repeat(8_000)}`;
      const res = await post((await okta({ destination: huge })).base64);
      expectRefused(res, 403, 'addressed to another sign-on URL');
      const { reason } = await lastSamlAudit(t, tenant.id);
      expect(reason).toMatch(/^Response Destination is "https:\/\/evil\.test\/x+/);
      expect(reason?.length).toBeLessThanOrEqual(501);
      expect(t.logs.some((line) => line.length > 10_000)).toBe(false);
    });

    it('accepts a response without Destination (optional when signed assertion is the credential)', async () => {
      expectSignedIn(await post((await entra({ destination: null })).base64), home());
    });

    it('refuses a wrong SubjectConfirmationData Recipient', async () => {
      const res = await post((await entra({ recipient: 'https://evil.test/saml/acs' })).base64);
      expectRefused(res, 403, 'issued for another sign-on URL');
      expect((await lastSamlAudit(t, tenant.id)).reason).toContain('SubjectConfirmationData Recipient is "https://evil.test/saml/acs"');
    });

    it('refuses a non-Success status even with a valid signed assertion', async () => {
      const res = await post((await entra({ statusCode: STATUS.requester, statusMessage: 'User not assigned' })).base64);
      expectRefused(res, 403, 'reported that the sign-in did not succeed (Requester, User not assigned)');
      expect((await lastSamlAudit(t, tenant.id)).reason).toBe(`Response status is ${STATUS.requester}: User not assigned`);
    });

    it('refuses a Responder status without an assertion', async () => {
      const res = await post((await okta({ statusCode: STATUS.responder, subStatusCode: STATUS.authnFailed, includeAssertion: false })).base64);
      expectRefused(res, 403, 'did not succeed (Responder, AuthnFailed)');
    });

    it('refuses a response to an AuthnRequest this service never sent (InResponseTo; SP-initiated cases in saml-sp-initiated)', async () => {
      const res = await post((await okta({ inResponseTo: '_someone-elses-request' })).base64);
      expectRefused(res, 403, 'answers a sign-in request this organization never sent');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: expect.stringContaining('InResponseTo _someone-elses-request: no AuthnRequest') });
    });
  });

  describe('malformed and hostile XML', () => {
    const xxe = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    const laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    it.each([
      ['an external entity (XXE) used in the NameID', (xml: string) => xxe + xml.replace(ALICE, '&xxe;')],
      ['nested entities (billion laughs)', (xml: string) => laughs + xml.replace('</samlp:Status>', '</samlp:Status><!-- &c; -->')],
      ['a DOCTYPE without entities', (xml: string) => `<!DOCTYPE samlp:Response>${xml}`],
      ['a DOCTYPE after the XML declaration, in lower case', (xml: string) => `<?xml version="1.0"?>\n<!doctype samlp:Response>${xml}`],
    ])('refuses %s before parsing', async (_name, edit) => {
      const r = await entra({ afterSign: edit });
      const res = await post(r.base64);
      expectRefused(res, 400, 'contains a document type declaration (DOCTYPE)');
      expect((await lastSamlAudit(t, tenant.id)).reason).toBe('SAMLResponse contains a DOCTYPE or ENTITY declaration');
    });

    it('refuses a missing SAMLResponse, non-base64 and non-XML with 400', async () => {
      expectRefused(await request(t.http).post(`/saml/${tenant.slug}/acs`).type('form').send({ RelayState: '/x' }), 400, 'does not carry a readable SAML response');
      expectRefused(await post('%%%not base64%%%'), 400, 'does not carry a readable SAML response');
      expectRefused(await post(Buffer.from('hello, not xml').toString('base64')), 400, 'does not carry a readable SAML response');
      expectRefused(await post(Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><unclosed>').toString('base64')), 400, 'does not carry a readable SAML response');
    });

    it('answers a body over the ACS limit with a 413 page', async () => {
      const res = await post('A'.repeat(300 * 1024));
      expectRefused(res, 413, 'The SAML response is too large');
    });

    it('escapes everything it echoes on the page', async () => {
      const res = await post((await entra({ statusCode: STATUS.requester, statusMessage: '<script>alert(1)</script>' })).base64);
      expectRefused(res, 403, '&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text).not.toContain('<script>');
      expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    });
  });

  describe('users and tenants', () => {
    it('refuses an unknown user, naming them', async () => {
      const res = await post((await okta({ nameId: 'nobody@acme.test' })).base64);
      expectRefused(res, 403, 'No account for nobody@acme.test in this organization; ask your System Admin');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ actor: 'nobody@acme.test', outcome: 'failure', reason: 'no user matches "nobody@acme.test"' });
    });

    it('refuses a deactivated user', async () => {
      const bob = await createUser(admin, { email: 'bob@acme.test' });
      expect((await admin.patch(`users/${bob.id}`, { active: false })).status).toBe(200);
      const res = await post((await entra({ nameId: 'bob@acme.test' })).base64);
      expectRefused(res, 403, 'This account is deactivated');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ actor: 'bob@acme.test', outcome: 'failure', reason: 'user bob@acme.test (matched by "bob@acme.test") is deactivated' });
    });

    it('never creates a user', async () => {
      await post((await okta({ nameId: 'newcomer@acme.test' })).base64);
      const rows = await queryDatabase(t.db, 'SELECT 1 FROM users WHERE lower(email) = $1', ['newcomer@acme.test']);
      expect(rows).toHaveLength(0);
    });

    it('answers 404 for an unknown tenant (ACS, sign-on page and metadata)', async () => {
      expectRefused(await postAcs(t, 'no-such-tenant', (await okta()).base64), 404, 'There is no organization at this address');
      expect((await request(t.http).get('/saml/no-such-tenant/acs')).status).toBe(404);
      expect((await request(t.http).get('/saml/no-such-tenant/metadata')).status).toBe(404);
    });

    it('refuses while SAML is disabled for the tenant', async () => {
      const other = await createTenant(t);
      const otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
      await createUser(otherAdmin, { email: ALICE });
      expect((await otherAdmin.post('settings/saml/certificate', { certificate: idp.certPem })).status).toBe(200);
      const r = await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(other.slug), nameId: ALICE });
      const res = await postAcs(t, other.slug, r.base64);
      expectRefused(res, 403, 'SAML sign-on is not enabled for this organization');
      // Logged, not audited: anyone can post here, and SAML is off (issue 9, finding 5).
      const rows = await queryDatabase(t.db, "SELECT 1 FROM audit_events WHERE tenant_id = $1 AND kind = 'saml_login'", [other.id]);
      expect(rows).toHaveLength(0);
      expect(t.logs.some((l) => l.includes('"reason":"SAML is not enabled for the tenant"') && l.includes(`"tenant":"${other.slug}"`))).toBe(true);
    });

    it("refuses a tenant's response posted to another tenant's ACS, even when both trust the same IdP key", async () => {
      const other = await createTenant(t);
      const otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
      await createUser(otherAdmin, { email: ALICE });
      await setUpSaml(otherAdmin, idp.certPem);
      // Meant for this tenant, posted to the other one's ACS.
      expectRefused(await postAcs(t, other.slug, (await okta()).base64), 403, 'addressed to another sign-on URL');
      // Without a Destination, the signed Audience (and Recipient) still name this tenant.
      expectRefused(await postAcs(t, other.slug, (await entra({ destination: null })).base64), 403, 'issued for another application (audience)');
      // An IdP that lists both tenants as audiences still names this tenant's ACS as the Recipient.
      const both = await entra({ destination: null, audience: [acs, acsUrl(other.slug)] });
      expectRefused(await postAcs(t, other.slug, both.base64), 403, 'issued for another sign-on URL');
      expect(await lastSamlAudit(t, other.id)).toMatchObject({ outcome: 'failure' });
    });
  });

  it('compares the assertion Issuer with the entity ID from uploaded metadata', async () => {
    const other = await createTenant(t);
    const otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
    await createUser(otherAdmin, { email: ALICE });
    const upload = await otherAdmin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: PRESETS.okta.idpEntityId, cert: idp.certPem }) });
    expect(upload.body.saml.idpEntityId).toBe(PRESETS.okta.idpEntityId);
    expect((await otherAdmin.put('settings/saml', { enabled: true })).status).toBe(200);
    const build = (o: Partial<IdpResponseOptions>) => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(other.slug), nameId: ALICE, ...o });
    expectSignedIn(await postAcs(t, other.slug, (await build({})).base64), `/t/${other.slug}/app`);
    const res = await postAcs(t, other.slug, (await build({ idpEntityId: 'http://www.okta.com/exkSomeOtherApp' })).base64);
    expectRefused(res, 403, 'comes from an identity provider other than the one configured');
    expect((await lastSamlAudit(t, other.id)).reason).toBe(`assertion Issuer is "http://www.okta.com/exkSomeOtherApp", expected "${PRESETS.okta.idpEntityId}" (from the uploaded metadata)`);
  });

  describe('replay', () => {
    it('refuses the same assertion twice', async () => {
      const r = await entra();
      expectSignedIn(await post(r.base64), home());
      const again = await post(r.base64);
      expectRefused(again, 403, 'This SAML response has already been used');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: `assertion ${r.assertionId} was already used` });
      const rows = await queryDatabase<{ expires_at: Date }>(t.db, 'SELECT expires_at FROM saml_assertion_ids WHERE tenant_id = $1 AND assertion_id = $2', [tenant.id, r.assertionId]);
      expect(rows).toHaveLength(1);
      // Kept while the assertion could still be accepted: Entra's NotOnOrAfter is +60 min, but the
      // age rule (SAML_MAX_ASSERTION_AGE_SECONDS, 300) ends acceptance first, plus the 60 s skew.
      expect(rows[0]!.expires_at.getTime()).toBeGreaterThan(Date.now() + 5 * MIN);
      expect(rows[0]!.expires_at.getTime()).toBeLessThan(Date.now() + 7 * MIN);
    });

    it('lets only one of two concurrent posts of the same assertion through', async () => {
      const r = await okta();
      const results = await Promise.all([post(r.base64), post(r.base64), post(r.base64)]);
      expect(results.map((x) => x.status).sort()).toEqual([302, 403, 403]);
    });
  });

  describe('RelayState', () => {
    it('redirects to a same-origin path', async () => {
      expectSignedIn(await post((await okta()).base64, `/t/${tenant.slug}/settings/users?tab=list#top`), `/t/${tenant.slug}/settings/users?tab=list#top`);
    });

    it.each(['//evil.test', 'https://evil.test', '/\\evil.test', 'javascript:alert(1)', '/\t/evil.test', '\\\\evil.test', 'http:/evil.test', ' //evil.test'])(
      'never redirects off-site (%j): goes to the app instead',
      async (relay) => {
        const res = await post((await okta()).base64, relay);
        expectSignedIn(res, home());
      },
    );
  });

  it('shows the sign-on URL page on GET, and publishes SP metadata', async () => {
    const page = await request(t.http).get(`/saml/${tenant.slug}/acs`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('This is the sign-on URL');
    expect(page.text).toContain('Sign in from your identity provider');
    const md = await request(t.http).get(`/saml/${tenant.slug}/metadata`);
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^application\/xml/);
    expect(md.text).toContain(`entityID="${acs}"`);
    expect(md.text).toContain(`<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acs}"`);
  });
});

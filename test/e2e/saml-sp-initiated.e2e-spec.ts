import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import request from 'supertest';
import { SamlSpKeyService } from '../../src/saml/saml-sp-key.service.js';
import { createSamlTenant, expectRefused, expectSignedIn, lastSamlAudit, postAcs } from '../factories/saml.factory.js';
import { signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { entraFederationMetadata } from '../fixtures/saml/idp-metadata.js';
import { generateTestCertificate, pemToBase64, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse, receiveAuthnRequest, type DataEncryption, type IdpResponseOptions } from '../utils/fake-idp.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const ALICE = 'alice@acme.test';
const IDP_SSO = 'https://idp.example.test/saml2/sso';

/** The certificates (PEM) of one KeyDescriptor use in SP metadata. */
function metadataCertificates(xml: string, use: 'signing' | 'encryption'): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<md:KeyDescriptor use="(\w+)">[\s\S]*?<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)) {
    if (m[1] === use) out.push(new X509Certificate(Buffer.from(m[2]!, 'base64')).toString());
  }
  return out;
}

describe('SAML SP-initiated sign-on, SP key and encrypted assertions', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let idp: TestCertificate;
  let acs: string;

  const metadata = async (slug = tenant.slug) => {
    const res = await request(t.http).get(`/saml/${slug}/metadata`);
    expect(res.status).toBe(200);
    return res.text;
  };
  const spCert = async (slug = tenant.slug) => metadataCertificates(await metadata(slug), 'encryption')[0]!;
  const startLogin = (query = '', slug = tenant.slug, app: TestApp = t) => request(app.http).get(`/saml/${slug}/login${query}`);
  /** GET /login, then what the IdP reads from the redirect (signature verified by samlify). */
  const sentRequest = async (query = '', slug = tenant.slug) => {
    const res = await startLogin(query, slug);
    expect(res.status).toBe(302);
    return receiveAuthnRequest(String(res.headers.location), await metadata(slug));
  };
  const entra = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const okta = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const post = (base64: string, relayState?: string) => postAcs(t, tenant.slug, base64, relayState);
  const home = () => `/t/${tenant.slug}/app`;

  beforeAll(async () => {
    t = await startTestApp();
    idp = generateTestCertificate({ cn: 'Fake IdP' });
    ({ tenant, admin, acs } = await createSamlTenant(t, idp.certPem, ALICE));
    const put = await admin.put('settings/saml', { idpSsoUrl: IDP_SSO });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the SP key', () => {
    it('is made when SAML is first enabled: shown in the settings, published for signing and encryption, its private key sealed at rest', async () => {
      const fresh = await createTenant(t);
      const freshAdmin = await signIn(t, fresh.slug, fresh.admin.email, fresh.admin.password);
      const before = await freshAdmin.get('settings/security');
      expect(before.body.saml).toMatchObject({ spCertificate: null, idpSsoUrl: null });
      expect(metadataCertificates(await metadata(fresh.slug), 'signing')).toEqual([]);

      const enabled = await freshAdmin.put('settings/saml', { enabled: true });
      expect(enabled.status).toBe(200);
      const cert = new X509Certificate(metadataCertificates(await metadata(fresh.slug), 'signing')[0]!);
      expect(enabled.body.saml.spCertificate).toEqual({ notAfter: new Date(cert.validTo).toISOString(), sha256Fingerprint: cert.fingerprint256 });
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 5 * 365 * 86_400_000);

      const xml = await metadata(fresh.slug);
      expect(xml).toContain('AuthnRequestsSigned="true"');
      expect(metadataCertificates(xml, 'signing').map((p) => new X509Certificate(p).fingerprint256)).toEqual([cert.fingerprint256]);
      expect(metadataCertificates(xml, 'encryption').map((p) => new X509Certificate(p).fingerprint256)).toEqual([cert.fingerprint256]);

      const [row] = await queryDatabase<{ saml_sp_keys: { use: string; certPem: string; sealedKey: string }[] }>(t.db, 'SELECT saml_sp_keys FROM tenant_security_settings WHERE tenant_id = $1', [fresh.id]);
      expect(row!.saml_sp_keys).toHaveLength(1);
      expect(row!.saml_sp_keys[0]).toMatchObject({ use: 'active', sealedKey: expect.stringMatching(/^v1\./) });
      expect(JSON.stringify(row!.saml_sp_keys)).not.toContain('PRIVATE KEY');

      // Turning SAML off and on again keeps the key (IdPs hold its certificate).
      await freshAdmin.put('settings/saml', { enabled: false });
      const again = await freshAdmin.put('settings/saml', { enabled: true });
      expect(again.body.saml.spCertificate.sha256Fingerprint).toBe(cert.fingerprint256);
    });

    it('is made on first need for a tenant that enabled SAML before SP keys existed, once, even when two instances race', async () => {
      const old = await createTenant(t);
      const oldAdmin = await signIn(t, old.slug, old.admin.email, old.admin.password);
      await oldAdmin.put('settings/saml', { enabled: true });
      await queryDatabase(t.db, "UPDATE tenant_security_settings SET saml_sp_keys = '[]'::jsonb WHERE tenant_id = $1", [old.id]);
      const second = await startTestApp({}, t.db);
      try {
        const [a, b] = await Promise.all([request(t.http).get(`/saml/${old.slug}/metadata`), request(second.http).get(`/saml/${old.slug}/metadata`)]);
        expect(a.status).toBe(200);
        expect(b.status).toBe(200);
        expect(metadataCertificates(a.text, 'signing')).toEqual(metadataCertificates(b.text, 'signing'));
        expect(metadataCertificates(a.text, 'signing')).toHaveLength(1);
      } finally {
        await second.close();
      }
      const [row] = await queryDatabase<{ n: number }>(t.db, 'SELECT jsonb_array_length(saml_sp_keys) AS n FROM tenant_security_settings WHERE tenant_id = $1', [old.id]);
      expect(row!.n).toBe(1);
    });
  });

  describe('idpSsoUrl', () => {
    it('is stored as entered, shown in the settings, and cleared with null', async () => {
      const res = await admin.put('settings/saml', { idpSsoUrl: 'https://login.example.test/sso?tenant=acme' });
      expect(res.status).toBe(200);
      expect(res.body.saml.idpSsoUrl).toBe('https://login.example.test/sso?tenant=acme');
      const cleared = await admin.put('settings/saml', { idpSsoUrl: null });
      expect(cleared.body.saml.idpSsoUrl).toBeNull();
      expect((await admin.get('settings/security')).body.saml.idpSsoUrl).toBeNull();
      expect((await admin.put('settings/saml', { idpSsoUrl: IDP_SSO })).body.saml.idpSsoUrl).toBe(IDP_SSO);
    });

    it.each([
      ['ftp://idp.example.test/sso', 'idpSsoUrl must be an http(s) URL, not ftp'],
      ['javascript:alert(1)', 'idpSsoUrl must be an http(s) URL, not javascript'],
      ['not a url', 'idpSsoUrl is not an absolute URL (https://…)'],
      ['/relative/path', 'idpSsoUrl is not an absolute URL (https://…)'],
      ['https://user:pw@idp.example.test/sso', 'idpSsoUrl must not contain a user name or password'],
      [`https://idp.example.test/${'a'.repeat(2100)}`, 'idpSsoUrl is 2125 characters long (at most 2048)'],
    ])('refuses %s with 400 invalid_url naming the field, keeping the stored URL', async (value, message) => {
      const res = await admin.put('settings/saml', { idpSsoUrl: value });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_url', message, field: 'idpSsoUrl' });
      expect((await admin.get('settings/security')).body.saml.idpSsoUrl).toBe(IDP_SSO);
    });

    it('refuses a non-string with 400 invalid_url', async () => {
      const res = await admin.put('settings/saml', { idpSsoUrl: ['https://idp.example.test'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_url', message: 'idpSsoUrl must be an http(s) URL, or null to clear it', field: 'idpSsoUrl' });
    });

    it('takes https only in production', async () => {
      const prod = await startTestApp({ NODE_ENV: 'production' }, t.db);
      try {
        const prodAdmin = await signIn(prod, tenant.slug, tenant.admin.email, tenant.admin.password);
        const res = await prodAdmin.put('settings/saml', { idpSsoUrl: 'http://idp.example.test/sso' });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: 'invalid_url', message: 'idpSsoUrl must be an https URL in production', field: 'idpSsoUrl' });
        expect((await prodAdmin.put('settings/saml', { idpSsoUrl: IDP_SSO })).status).toBe(200);
      } finally {
        await prod.close();
      }
    });

    it('is taken from uploaded IdP metadata (the HTTP-Redirect SingleSignOnService)', async () => {
      const other = await createTenant(t);
      const otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
      const res = await otherAdmin.post('settings/saml/certificate', { metadata: entraFederationMetadata({ entityId: 'https://sts.windows.net/x/', signing: [idp.certPem] }) });
      expect(res.status).toBe(200);
      expect(res.body.saml.idpSsoUrl).toBe('https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2');
      // A bare certificate afterwards leaves it.
      const cert = await otherAdmin.post('settings/saml/certificate', { certificate: pemToBase64(idp.certPem) });
      expect(cert.body.saml.idpSsoUrl).toBe('https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2');
    });
  });

  describe('GET /saml/{tenant}/login', () => {
    it('redirects to the IdP with an AuthnRequest signed per the HTTP-Redirect binding, its ID remembered for 5 minutes', async () => {
      const res = await startLogin('?RelayState=%2Ft%2F' + tenant.slug + '%2Fsettings%2Fusers%3Fq%3D(a%27b)');
      expect(res.status).toBe(302);
      expect(res.headers['cache-control']).toBe('no-store');
      const location = String(res.headers.location);
      expect(location.startsWith(`${IDP_SSO}?SAMLRequest=`)).toBe(true);
      expect(location).toContain(`&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}&Signature=`);
      const received = await receiveAuthnRequest(location, await metadata());
      expect(received.issuer).toBe(acs);
      expect(received.acsUrl).toBe(acs);
      // The ACS's RelayState rule normalises the path as a URL does (' becomes %27).
      expect(received.relayState).toBe(`/t/${tenant.slug}/settings/users?q=(a%27b)`);
      expect(received.id).toMatch(/^_[0-9a-f]{40}$/);
      expect(received.xml).toContain(`Destination="${IDP_SSO}"`);
      const [row] = await queryDatabase<{ expires_at: Date; used_at: Date | null }>(t.db, 'SELECT expires_at, used_at FROM saml_authn_requests WHERE tenant_id = $1 AND request_id = $2', [tenant.id, received.id]);
      expect(row!.used_at).toBeNull();
      expect(Math.abs(row!.expires_at.getTime() - (Date.now() + 300_000))).toBeLessThan(10_000);
    });

    it('the signature covers the query: a changed RelayState no longer verifies', async () => {
      const res = await startLogin('?RelayState=%2Ft%2Facme%2Fapp');
      const tampered = String(res.headers.location).replace('RelayState=%2Ft%2Facme%2Fapp', 'RelayState=%2Ft%2Facme%2Fevil');
      await expect(receiveAuthnRequest(tampered, await metadata())).rejects.toThrow('ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION');
    });

    it('keeps the IdP SSO URL\'s own query and drops a RelayState that is not a same-origin path', async () => {
      await admin.put('settings/saml', { idpSsoUrl: `${IDP_SSO}?whr=acme` });
      try {
        const res = await startLogin('?RelayState=https%3A%2F%2Fevil.test%2F');
        const location = String(res.headers.location);
        expect(location.startsWith(`${IDP_SSO}?whr=acme&SAMLRequest=`)).toBe(true);
        expect(location).not.toContain('RelayState');
        await expect(receiveAuthnRequest(location, await metadata())).resolves.toMatchObject({ relayState: null });
      } finally {
        await admin.put('settings/saml', { idpSsoUrl: IDP_SSO });
      }
    });

    it('refuses an over-long RelayState (400 page)', async () => {
      const res = await startLogin(`?RelayState=/${'a'.repeat(1100)}`);
      expectRefused(res, 400, 'The page to return to after sign-in (RelayState) is too long.');
    });

    it('answers a 409 page when SAML is off or no IdP SSO URL is known, 404 for an unknown tenant', async () => {
      const off = await createTenant(t);
      expectRefused(await startLogin('', off.slug), 409, 'Single sign-on is not enabled for this organization');
      const noUrl = await createSamlTenant(t, idp.certPem, 'bob@acme.test');
      const res = await startLogin('', noUrl.tenant.slug);
      expectRefused(res, 409, 'the identity provider&#39;s sign-on URL is not known');
      expect(res.text).toContain('Single sign-on unavailable');
      expectRefused(await startLogin('', 'no-such-tenant'), 404, 'There is no organization at this address');
    });

    it('bounds the unanswered requests one address may hold (429 with Retry-After); an answered one frees its slot', async () => {
      const limited = await startTestApp({ SAML_AUTHN_REQUESTS_PER_ADDRESS: '2' }, t.db);
      try {
        const own = await createSamlTenant(limited, idp.certPem, ALICE);
        await own.admin.put('settings/saml', { idpSsoUrl: IDP_SSO });
        const go = () => request(limited.http).get(`/saml/${own.tenant.slug}/login`);
        const first = await go();
        expect((await go()).status).toBe(302);
        const refused = await go();
        expectRefused(refused, 429, 'Too many sign-ins were started from your network');
        expect(refused.headers['retry-after']).toBe('60');
        const [count] = await queryDatabase<{ n: string }>(limited.db, 'SELECT count(*) AS n FROM saml_authn_requests WHERE tenant_id = $1', [own.tenant.id]);
        expect(Number(count!.n)).toBe(2);
        // The first one answered: a slot is free again.
        const mdRes = await request(limited.http).get(`/saml/${own.tenant.slug}/metadata`);
        const received = await receiveAuthnRequest(String(first.headers.location), mdRes.text);
        const answer = await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: own.acs, nameId: ALICE, inResponseTo: received.id });
        expectSignedIn(await postAcs(limited, own.tenant.slug, answer.base64), `/t/${own.tenant.slug}/app`);
        expect((await go()).status).toBe(302);
      } finally {
        await limited.close();
      }
    });
  });

  describe('the ACS and InResponseTo', () => {
    it('SP-initiated round trip: login → IdP (samlify) answers the AuthnRequest → ACS signs in at the RelayState', async () => {
      const received = await sentRequest(`?RelayState=${encodeURIComponent(`/t/${tenant.slug}/app?from=sso`)}`);
      const answer = await entra({ inResponseTo: received.id });
      expect(answer.xml).toContain(`InResponseTo="${received.id}"`);
      const res = await post(answer.base64, received.relayState ?? undefined);
      const cookie = expectSignedIn(res, `/t/${tenant.slug}/app?from=sso`);
      const me = await request(t.http).get(`/api/t/${tenant.slug}/me`).set('cookie', cookie);
      expect(me.body).toMatchObject({ user: { email: ALICE }, signInMethod: 'saml' });
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'success', details: { inResponseTo: received.id, encrypted: false } });
      const [row] = await queryDatabase<{ used_at: Date | null }>(t.db, 'SELECT used_at FROM saml_authn_requests WHERE tenant_id = $1 AND request_id = $2', [tenant.id, received.id]);
      expect(row!.used_at).not.toBeNull();
    });

    it('refuses a second answer to the same AuthnRequest (a new assertion: single use of the request)', async () => {
      const received = await sentRequest();
      expectSignedIn(await post((await okta({ inResponseTo: received.id })).base64), home());
      const res = await post((await okta({ inResponseTo: received.id })).base64);
      expectRefused(res, 403, 'The sign-in request this SAML response answers has already been used.');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: `InResponseTo ${received.id}: the AuthnRequest was already answered (single use)` });
    });

    it('lets only one of two concurrent answers to one AuthnRequest through, on two instances', async () => {
      const second = await startTestApp({}, t.db);
      try {
        const received = await sentRequest();
        const [a, b] = await Promise.all([
          okta({ inResponseTo: received.id }).then((r) => postAcs(t, tenant.slug, r.base64)),
          okta({ inResponseTo: received.id }).then((r) => postAcs(second, tenant.slug, r.base64)),
        ]);
        expect([a.status, b.status].sort()).toEqual([302, 403]);
      } finally {
        await second.close();
      }
    });

    it('refuses an InResponseTo this service never sent', async () => {
      const res = await post((await okta({ inResponseTo: '_0123456789abcdef0123456789abcdef01234567' })).base64);
      expectRefused(res, 403, 'The SAML response answers a sign-in request this organization never sent.');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({
        outcome: 'failure',
        reason: `InResponseTo _0123456789abcdef0123456789abcdef01234567: no AuthnRequest with this ID was sent for tenant ${tenant.slug} (never sent, sent for another organization, or expired and purged)`,
        details: { code: 'saml_in_response_to_unknown' },
      });
    });

    it('refuses an answer to an expired AuthnRequest', async () => {
      const received = await sentRequest();
      await queryDatabase(t.db, "UPDATE saml_authn_requests SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND request_id = $2", [tenant.id, received.id]);
      const res = await post((await entra({ inResponseTo: received.id })).base64);
      expectRefused(res, 403, 'The sign-in request this SAML response answers has expired');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: `InResponseTo ${received.id}: the AuthnRequest expired (answers are accepted for 5 minutes)` });
    });

    it('refuses an answer to another tenant\'s AuthnRequest, though both trust the same IdP', async () => {
      const other = await createSamlTenant(t, idp.certPem, ALICE);
      await other.admin.put('settings/saml', { idpSsoUrl: IDP_SSO });
      const theirs = await sentRequest('', other.tenant.slug);
      const res = await post((await entra({ inResponseTo: theirs.id })).base64);
      expectRefused(res, 403, 'The SAML response answers a sign-in request this organization never sent.');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: expect.stringContaining(`InResponseTo ${theirs.id}: no AuthnRequest with this ID was sent for tenant ${tenant.slug}`) });
      // Still unused for its own tenant.
      expectSignedIn(await postAcs(t, other.tenant.slug, (await entra({ acsUrl: other.acs, inResponseTo: theirs.id })).base64), `/t/${other.tenant.slug}/app`);
    });

    it('refuses a Response whose (unsigned) InResponseTo differs from the signed assertion\'s', async () => {
      const received = await sentRequest();
      const r = await entra({ inResponseTo: received.id, afterSign: (xml) => xml.replace(/(<samlp:Response [^>]*InResponseTo=")[^"]+"/, '$1_forged"') });
      const res = await post(r.base64);
      expectRefused(res, 403, 'names two different sign-in requests');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ reason: `Response InResponseTo "_forged" differs from SubjectConfirmationData InResponseTo "${received.id}"` });
    });

    it('still accepts an unsolicited (IdP-initiated) response', async () => {
      const res = await post((await okta()).base64);
      expectSignedIn(res, home());
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'success', details: { inResponseTo: null } });
    });
  });

  describe('encrypted assertions', () => {
    it.each<[DataEncryption, 'entra' | 'okta']>([
      ['aes256-gcm', 'entra'],
      ['aes128-cbc', 'entra'],
      ['aes128-gcm', 'okta'],
      ['aes256-cbc', 'okta'],
    ])('accepts %s with RSA-OAEP (%s shape) and signs the user in', async (cipher, shape) => {
      const r = await (shape === 'entra' ? entra : okta)({ encryptTo: await spCert(), dataEncryption: cipher });
      expect(r.xml).toContain('EncryptedAssertion');
      expect(r.xml).toContain('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p');
      expect(r.xml).not.toContain(ALICE);
      expectSignedIn(await post(r.base64), home());
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'success', target: ALICE, details: { encrypted: true } });
    });

    it('SP-initiated with an encrypted assertion (AES-256-GCM)', async () => {
      const received = await sentRequest();
      const r = await entra({ inResponseTo: received.id, encryptTo: await spCert(), dataEncryption: 'aes256-gcm' });
      expectSignedIn(await post(r.base64), home());
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ details: { inResponseTo: received.id, encrypted: true } });
    });

    it('accepts an unsigned decrypted assertion when the Response (covering the ciphertext) is signed', async () => {
      const r = await okta({ sign: 'response', encryptTo: await spCert() });
      expectSignedIn(await post(r.base64), home());
    });

    it('refuses an encrypted assertion when neither it nor the Response is signed', async () => {
      const r = await entra({ sign: 'none', encryptTo: await spCert() });
      const res = await post(r.base64);
      expectRefused(res, 403, 'The SAML response is not signed.');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ reason: 'neither the Response nor the decrypted Assertion carries a signature' });
    });

    it.each<[DataEncryption]>([['aes256-gcm'], ['aes128-cbc']])('refuses tampered ciphertext (%s)', async (cipher) => {
      const r = await entra({ encryptTo: await spCert(), dataEncryption: cipher });
      // Flip bits in the middle of the content's CipherValue (the second one; the first is the key's).
      const values = [...r.xml.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)];
      const content = values[values.length - 1]![1]!;
      const bytes = Buffer.from(content, 'base64');
      bytes[Math.floor(bytes.length / 2)] ^= 0x55;
      const res = await post(Buffer.from(r.xml.replace(content, bytes.toString('base64')), 'utf8').toString('base64'));
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
      const audit = await lastSamlAudit(t, tenant.id);
      expect(audit.outcome).toBe('failure');
      // GCM's tag refuses it at decryption; CBC decrypts to damaged XML (refused there) or to a
      // changed assertion whose signature no longer verifies.
      expect(audit.reason).toMatch(cipher === 'aes256-gcm' ? /does not decrypt with any of the tenant's 1 SP key/ : /does not decrypt|signature|not well-formed/i);
    });

    it('refuses an assertion encrypted to another key', async () => {
      const stranger = generateTestCertificate({ cn: 'Someone else' });
      const res = await post((await entra({ encryptTo: stranger.certPem })).base64);
      expectRefused(res, 403, 'could not be decrypted with this organization&#39;s SP key');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ reason: expect.stringContaining("the EncryptedAssertion does not decrypt with any of the tenant's 1 SP key(s)"), details: { code: 'saml_decryption_failed' } });
    });

    it('refuses Triple DES content before any key is used', async () => {
      const res = await post((await entra({ encryptTo: await spCert(), dataEncryption: 'tripledes-cbc' })).base64);
      expectRefused(res, 403, 'encrypted with an algorithm that is not accepted');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ reason: 'content encryption algorithm http://www.w3.org/2001/04/xmlenc#tripledes-cbc is not accepted (AES-128/256 CBC or GCM, RSA-OAEP)' });
    });

    it('reads the decrypted assertion under the same XML limits (anyone can encrypt to the public SP certificate)', async () => {
      const nested = `${'<x>'.repeat(40)}${'</x>'.repeat(40)}`;
      const r = await entra({ sign: 'none', encryptTo: await spCert(), beforeSign: (xml) => xml.replace('<AuthnStatement', `<Advice>${nested}</Advice><AuthnStatement`) });
      const res = await post(r.base64);
      expectRefused(res, 400, 'too complex to be read');
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ reason: 'decrypted assertion XML over a limit: elements nested more than 32 deep' });
    });
  });

  describe('SP key rotation', () => {
    it('rotate publishes a next key beside the active one; promote switches; the previous key still decrypts until the next rotation', async () => {
      const keys = t.app.get(SamlSpKeyService);
      const first = await spCert();
      const rotated = await keys.rotate(tenant.slug, 'test-operator');
      expect(rotated.keys.map((k) => k.use)).toEqual(['active', 'next']);
      const xml = await metadata();
      expect(metadataCertificates(xml, 'signing')).toHaveLength(2);
      expect(metadataCertificates(xml, 'encryption')[0]).toBe(first);
      const next = metadataCertificates(xml, 'encryption')[1]!;
      // Both decrypt while the IdPs move over.
      expectSignedIn(await post((await entra({ encryptTo: next })).base64), home());
      expectSignedIn(await post((await entra({ encryptTo: first })).base64), home());
      // Rotate again before promoting: the same next key (idempotent).
      expect((await keys.rotate(tenant.slug, 'test-operator')).keys).toEqual(rotated.keys);

      const promoted = await keys.promote(tenant.slug, 'test-operator');
      expect(promoted.keys.map((k) => k.use)).toEqual(['previous', 'active']);
      expect((await admin.get('settings/security')).body.saml.spCertificate.sha256Fingerprint).toBe(new X509Certificate(next).fingerprint256);
      expect(metadataCertificates(await metadata(), 'signing')).toEqual([next]);
      // AuthnRequests are now signed with the new key (samlify verifies against the new metadata).
      await expect(sentRequest()).resolves.toMatchObject({ issuer: acs });
      // An IdP still encrypting to the old key keeps working: "previous" decrypts.
      expectSignedIn(await post((await entra({ encryptTo: first })).base64), home());
      await expect(keys.promote(tenant.slug, 'test-operator')).rejects.toMatchObject({ code: 'no_next_key' });

      // The next rotation drops the previous key.
      await keys.rotate(tenant.slug, 'test-operator');
      const res = await post((await entra({ encryptTo: first })).base64);
      expectRefused(res, 403, 'could not be decrypted');
      const [audit] = await queryDatabase<{ action: string; actor: string }>(t.db, "SELECT action, actor FROM audit_events WHERE tenant_id = $1 AND kind = 'settings' ORDER BY at DESC, id DESC LIMIT 1", [tenant.id]);
      expect(audit).toEqual({ action: 'saml.sp_key.rotate', actor: 'test-operator' });
    });
  });
});

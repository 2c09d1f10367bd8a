import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { acsUrl, expectRefused, expectSignedIn, postAcs, setUpSaml, uploadCertificateFile } from '../factories/saml.factory.js';
import { createUser, login, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { entraFederationMetadata, oktaMetadata } from '../fixtures/saml/idp-metadata.js';
import { generateTestCertificate, pemToBase64, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { nestedNamespaceDeclarations } from '../utils/xml-attacks.js';
import { queryDatabase } from '../utils/test-database.js';
import { OPERATOR_TOKEN, PUBLIC_URL, startTestApp, type TestApp } from '../utils/test-app.js';

interface CertJson {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  keySize: number;
  sha256Fingerprint: string;
  expired: boolean;
}
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/**
 * The DER certificate with its notBefore (0) or notAfter (1) UTCTime made unreadable (its final
 * "Z" replaced by "@"): OpenSSL still parses such a certificate and Node reports "Bad time value".
 */
function malformedValidity(der: Buffer, which: 0 | 1): Buffer {
  const out = Buffer.from(der);
  let seen = 0;
  for (let i = 0; i + 14 < out.length; i++) {
    // UTCTime: tag 0x17, length 13, "YYMMDDHHMMSSZ"
    if (out[i] === 0x17 && out[i + 1] === 0x0d && out[i + 14] === 0x5a) {
      if (seen++ === which) {
        out[i + 14] = 0x40;
        return out;
      }
    }
  }
  throw new Error('no UTCTime validity found');
}
const ENTRA_ID = 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/';

describe('SAML settings: enable, enforce, certificates', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let admin: Session;
  let rsa: TestCertificate;
  let rsa2: TestCertificate;
  let ec: TestCertificate;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
    admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    rsa = generateTestCertificate({ cn: 'Microsoft Azure Federated SSO Certificate' });
    rsa2 = generateTestCertificate({ cn: 'Microsoft Azure Federated SSO Certificate (next)' });
    ec = generateTestCertificate({ type: 'ec', cn: 'EC IdP' });
  });
  afterAll(async () => {
    await t.close();
  });

  const certificates = async (): Promise<{ certificates: CertJson[]; idpEntityId: string | null }> => {
    const res = await admin.get('settings/security');
    expect(res.status).toBe(200);
    return res.body.saml;
  };

  describe('PUT /settings/saml', () => {
    it('enables SAML and answers the settings object; the change is audited', async () => {
      const res = await admin.put('settings/saml', { enabled: true });
      expect(res.status).toBe(200);
      expect(res.body.saml).toMatchObject({
        enabled: true,
        signOnUrl: `${PUBLIC_URL}/saml/${tenant.slug}/acs`,
        entityId: `${PUBLIC_URL}/saml/${tenant.slug}/acs`,
        enforceLogin: false,
      });
      expect(res.body.scim).toBeDefined();
      const rows = await queryDatabase<{ actor: string; details: unknown }>(t.db, "SELECT actor, details FROM audit_events WHERE tenant_id = $1 AND kind = 'settings' AND action = 'saml.update' ORDER BY id DESC LIMIT 1", [tenant.id]);
      expect(rows[0]).toMatchObject({ actor: tenant.admin.email, details: { before: { enabled: false, enforceLogin: false }, after: { enabled: true, enforceLogin: false } } });
    });

    it('refuses Enforce SAML Login without a certificate (409 certificate_required)', async () => {
      const fresh = await createTenant(t);
      const freshAdmin = await signIn(t, fresh.slug, fresh.admin.email, fresh.admin.password);
      const res = await freshAdmin.put('settings/saml', { enabled: true, enforceLogin: true });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: 'certificate_required', message: expect.stringContaining('certificate') });
      expect((await freshAdmin.get('settings/security')).body.saml).toMatchObject({ enabled: false, enforceLogin: false });
    });

    it('is for System Admins only, with CSRF, and validates the body', async () => {
      const user = await createUser(admin, { email: 'plain@acme.test', password: 'a plain user password' });
      const plain = await signIn(t, tenant.slug, user.email, 'a plain user password');
      const forbidden = await plain.put('settings/saml', { enabled: false });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error).toBe('forbidden');
      const forbiddenUpload = await plain.post('settings/saml/certificate', { certificate: rsa.certPem });
      expect(forbiddenUpload.status).toBe(403);
      const noCsrf = await request(t.http).put(`/api/t/${tenant.slug}/settings/saml`).set('cookie', admin.cookie).send({ enabled: false });
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.error).toBe('csrf');
      const noSession = await request(t.http).post(`/api/t/${tenant.slug}/settings/saml/certificate`).send({ certificate: rsa.certPem });
      expect(noSession.status).toBe(401);
      const invalid = await admin.put('settings/saml', { enabled: 'yes' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ error: 'validation_failed', field: 'enabled' });
      expect((await certificates()).certificates).toEqual([]);
    });
  });

  describe('POST /settings/saml/certificate: accepted kinds', () => {
    it('PEM as JSON: shows subject, issuer, serial, validity, key, SHA-256 fingerprint, not expired', async () => {
      const res = await admin.post('settings/saml/certificate', { certificate: rsa.certPem });
      expect(res.status).toBe(200);
      const x509 = new X509Certificate(rsa.certPem);
      expect(res.body.saml.certificates).toEqual([
        {
          subject: 'CN=Microsoft Azure Federated SSO Certificate',
          issuer: 'CN=Microsoft Azure Federated SSO Certificate',
          serialNumber: x509.serialNumber,
          notBefore: new Date(x509.validFrom).toISOString(),
          notAfter: new Date(x509.validTo).toISOString(),
          keyAlgorithm: 'RSA',
          keySize: 2048,
          sha256Fingerprint: x509.fingerprint256,
          expired: false,
        },
      ]);
      expect(res.body.saml.idpEntityId).toBeNull();
      const stored = await queryDatabase<{ saml_certificates: { pem: string }[] }>(t.db, 'SELECT saml_certificates FROM tenant_security_settings WHERE tenant_id = $1', [tenant.id]);
      expect(stored[0]!.saml_certificates).toEqual([{ pem: x509.toString() }]);
      const audit = await queryDatabase<{ details: Record<string, unknown> }>(t.db, "SELECT details FROM audit_events WHERE tenant_id = $1 AND action = 'saml.certificate' ORDER BY id DESC LIMIT 1", [tenant.id]);
      expect(audit[0]!.details).toMatchObject({ source: 'pem', sha256Fingerprints: [x509.fingerprint256] });
    });

    it('DER .cer file (multipart), which replaces the previous certificate', async () => {
      const res = await uploadCertificateFile(t, admin, rsa2.der, 'Latchkey.cer');
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa2.certPem)]);
    });

    it('PEM .crt file with CRLF line ends and indentation (multipart)', async () => {
      const messy = `\r\n   ${rsa.certPem.replace(/\n/g, '\r\n')}\r\n\r\n`;
      const res = await uploadCertificateFile(t, admin, messy, 'Latchkey.crt');
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa.certPem)]);
    });

    it('bare base64, as Entra and Okta show it: JSON one line, and a file with 76-column CRLF lines', async () => {
      const json = await admin.post('settings/saml/certificate', { certificate: pemToBase64(rsa2.certPem) });
      expect(json.status).toBe(200);
      expect(json.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa2.certPem)]);
      const file = await uploadCertificateFile(t, admin, `${pemToBase64(rsa.certPem).match(/.{1,76}/g)!.join('\r\n')}\r\n`, 'Latchkey (Base64).cer');
      expect(file.status).toBe(200);
      expect(file.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa.certPem)]);
    });

    it('Okta metadata as JSON: the signing certificate and the IdP entity ID', async () => {
      const res = await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/exk1fakeOktaIdP0x7', cert: rsa2.certPem }) });
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa2.certPem)]);
      expect(res.body.saml.idpEntityId).toBe('http://www.okta.com/exk1fakeOktaIdP0x7');
    });

    it('metadata whose KeyDescriptor has no use attribute (signing and encryption)', async () => {
      const res = await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/exk2', cert: rsa.certPem, use: null }) });
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa.certPem)]);
    });

    it('Entra Federation Metadata XML file with two signing certificates (rollover): keeps both, ignores the document signature and WS-Fed role keys', async () => {
      const decoy = generateTestCertificate({ cn: 'decoy' });
      const xml = entraFederationMetadata({ entityId: ENTRA_ID, signing: [rsa.certPem, rsa2.certPem], decoys: { signature: decoy.certPem, roleDescriptor: decoy.certPem } });
      const res = await uploadCertificateFile(t, admin, xml, 'Latchkey.xml');
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa.certPem), fingerprint(rsa2.certPem)]);
      expect(res.body.saml.idpEntityId).toBe(ENTRA_ID);
    });

    it('metadata listing an old weak key beside the current one keeps only the current one, and audits the skipped one', async () => {
      const weak = generateTestCertificate({ cn: 'Old 1024-bit key', modulusLength: 1024 });
      const res = await admin.post('settings/saml/certificate', { metadata: entraFederationMetadata({ entityId: ENTRA_ID, signing: [weak.certPem, rsa2.certPem] }) });
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates.map((c: CertJson) => c.sha256Fingerprint)).toEqual([fingerprint(rsa2.certPem)]);
      const audit = await queryDatabase<{ details: { weakCertificatesSkipped?: string[] } }>(t.db, "SELECT details FROM audit_events WHERE tenant_id = $1 AND action = 'saml.certificate' ORDER BY id DESC LIMIT 1", [tenant.id]);
      expect(audit[0]!.details.weakCertificatesSkipped).toEqual([`${fingerprint(weak.certPem)}: its RSA key is 1024 bits; at least 2048 bits are required`]);
    });

    it('an expired certificate is stored and shown as expired', async () => {
      const old = generateTestCertificate({ cn: 'Expired IdP', notBefore: new Date(Date.now() - 400 * 86_400_000), days: 365 });
      const res = await admin.post('settings/saml/certificate', { certificate: old.certPem });
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates[0]).toMatchObject({ subject: 'CN=Expired IdP', expired: true });
    });
  });

  describe('POST /settings/saml/certificate: rejected kinds', () => {
    beforeEach(async () => {
      expect((await admin.post('settings/saml/certificate', { certificate: rsa.certPem })).status).toBe(200);
    });
    const unchanged = async () => expect((await certificates()).certificates.map((c) => c.sha256Fingerprint)).toEqual([fingerprint(rsa.certPem)]);
    const expectInvalid = (res: { status: number; body: { error?: string; message?: string } }, reason: string | RegExp) => {
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_certificate');
      if (typeof reason === 'string') expect(res.body.message).toContain(reason);
      else expect(res.body.message).toMatch(reason);
    };

    it('an EC certificate (PEM and DER)', async () => {
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: ec.certPem }), 'key algorithm EC is not supported; upload an RSA or DSA certificate');
      expectInvalid(await uploadCertificateFile(t, admin, ec.der, 'ec.cer'), 'key algorithm EC is not supported; upload an RSA or DSA certificate');
      await unchanged();
      const audit = await queryDatabase<{ outcome: string; reason: string }>(t.db, "SELECT outcome, reason FROM audit_events WHERE tenant_id = $1 AND action = 'saml.certificate' ORDER BY id DESC LIMIT 1", [tenant.id]);
      expect(audit[0]).toEqual({ outcome: 'failure', reason: 'key algorithm EC is not supported; upload an RSA or DSA certificate' });
    });

    it('garbage: text, binary, truncated DER, a public key, a private key', async () => {
      expectInvalid(await uploadCertificateFile(t, admin, 'this is not a certificate at all', 'notes.txt'), 'is not an X.509 certificate');
      expectInvalid(await uploadCertificateFile(t, admin, Buffer.from([0x30, 0x82, 0x01, 0x00, 1, 2, 3, 4, 5]), 'broken.cer'), 'is not an X.509 certificate');
      expectInvalid(await uploadCertificateFile(t, admin, rsa.der.subarray(0, 200), 'truncated.cer'), 'is not an X.509 certificate');
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: Buffer.from('hello world, certainly no cert').toString('base64') }), 'is not an X.509 certificate');
      const publicKey = new X509Certificate(rsa.certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: publicKey }), 'the PEM holds PUBLIC KEY, not an X.509 certificate');
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: rsa.keyPem }), 'the PEM holds PRIVATE KEY, not an X.509 certificate');
      await unchanged();
    });

    it('metadata without a signing certificate', async () => {
      expectInvalid(
        await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/x', cert: rsa2.certPem, use: 'encryption' }) }),
        'the metadata has no signing certificate',
      );
      const spOnly = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`;
      expectInvalid(await uploadCertificateFile(t, admin, spOnly, 'sp.xml'), 'the metadata has no IDPSSODescriptor');
      expectInvalid(await uploadCertificateFile(t, admin, '<html><body>Sign in</body></html>', 'page.xml'), 'not SAML 2.0 metadata');
      await unchanged();
    });

    it('metadata with a DOCTYPE, and metadata with an EC signing certificate', async () => {
      const withDoctype = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>${oktaMetadata({ entityId: 'http://www.okta.com/x', cert: rsa2.certPem }).replace(/^<\?xml[^>]*>/, '')}`;
      expectInvalid(await admin.post('settings/saml/certificate', { metadata: withDoctype }), 'DOCTYPE');
      expectInvalid(await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/x', cert: ec.certPem }) }), 'key algorithm EC is not supported');
      await unchanged();
    });

    it('RSA keys under 2048 bits (issue 9): PEM, DER, and metadata whose every signing certificate is weak', async () => {
      const weak = generateTestCertificate({ cn: 'Weak IdP', modulusLength: 512 });
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: weak.certPem }), 'certificate 1 of the PEM is refused: its RSA key is 512 bits; at least 2048 bits are required');
      expectInvalid(await uploadCertificateFile(t, admin, weak.der, 'weak.cer'), 'the certificate is refused: its RSA key is 512 bits; at least 2048 bits are required');
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: pemToBase64(weak.certPem) }), 'its RSA key is 512 bits');
      // A bundle that mixes a weak certificate with a strong one: the admin picked it, so refused whole.
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: `${rsa2.certPem}\n${weak.certPem}` }), 'certificate 2 of the PEM is refused: its RSA key is 512 bits');
      expectInvalid(
        await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/x', cert: weak.certPem }) }),
        'every signing certificate in the metadata is refused: its RSA key is 512 bits; at least 2048 bits are required',
      );
      await unchanged();
    });

    it('more than four certificates at once, and metadata over the XML limits (the same guard as the ACS)', async () => {
      const five = Array.from({ length: 5 }, () => generateTestCertificate({ cn: 'One of many' }).certPem);
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: five.join('\n') }), 'the PEM holds 5 signing certificates; at most 4 are kept at once');
      const metadata = oktaMetadata({ entityId: 'http://www.okta.com/x', cert: rsa2.certPem }).replace('</md:IDPSSODescriptor>', `<md:Extensions>${nestedNamespaceDeclarations(3000)}</md:Extensions></md:IDPSSODescriptor>`);
      const started = process.cpuUsage();
      expectInvalid(await admin.post('settings/saml/certificate', { metadata }), 'the metadata XML is over a limit: elements nested more than 32 deep');
      await unchanged();
      expect(process.cpuUsage(started).user).toBeLessThan(2_000_000); // not a timing test: the old path took seconds of CPU
    });

    it('a file over 1 MiB (multipart and JSON)', async () => {
      const big = `${rsa.certPem}\n${'#'.repeat(1_100_000)}`;
      expectInvalid(await uploadCertificateFile(t, admin, big, 'big.pem'), 'over the 1 MiB limit');
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: big }), 'over the 1 MiB limit');
      await unchanged();
    });

    it('a certificate whose validity time is malformed (fuzz seed 20261130 cases 1919, 6206, 48935): 400 naming the bound, never stored', async () => {
      const badFrom = malformedValidity(rsa2.der, 0);
      const badTo = malformedValidity(rsa2.der, 1);
      expect(new X509Certificate(badFrom).validFrom).toBe('Bad time value'); // OpenSSL still parses it
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: new X509Certificate(badFrom).toString() }), 'certificate 1 of the PEM is refused: its validity notBefore is not a valid time');
      expectInvalid(await uploadCertificateFile(t, admin, badTo, 'idp.cer'), 'the certificate is refused: its validity notAfter is not a valid time');
      expectInvalid(await admin.post('settings/saml/certificate', { metadata: oktaMetadata({ entityId: 'http://www.okta.com/x', cert: new X509Certificate(badFrom).toString() }) }), 'metadata certificate 1 is refused: its validity notBefore is not a valid time');
      await unchanged();
    });

    it('a certificate whose public key cannot be decoded (fuzz seed 7 case 4774): 400, never stored', async () => {
      // rsaEncryption's OID 1.2.840.113549.1.1.1 with its last byte changed: the certificate parses, its key does not.
      const der = Buffer.from(rsa2.der);
      const oid = Buffer.from('06092a864886f70d0101010500', 'hex');
      const at = der.indexOf(oid);
      expect(at).toBeGreaterThan(0);
      der[at + 10] = 0x00;
      expect(() => new X509Certificate(der).publicKey).toThrow();
      expectInvalid(await uploadCertificateFile(t, admin, der, 'idp.cer'), 'the certificate is refused: its public key cannot be read');
      expectInvalid(await admin.post('settings/saml/certificate', { certificate: new X509Certificate(der).toString() }), 'certificate 1 of the PEM is refused: its public key cannot be read');
      await unchanged();
    });

    it('a certificate with a malformed validity time stored before the check still shows (as expired), never a 500 for the settings page', async () => {
      const bad = new X509Certificate(malformedValidity(rsa2.der, 0)).toString();
      await queryDatabase(t.db, 'UPDATE tenant_security_settings SET saml_certificates = $2::jsonb WHERE tenant_id = $1', [tenant.id, JSON.stringify([{ pem: bad }])]);
      const res = await admin.get('settings/security');
      expect(res.status).toBe(200);
      expect(res.body.saml.certificates).toEqual([expect.objectContaining({ notBefore: 'Bad time value', notAfter: new Date(new X509Certificate(bad).validTo).toISOString(), expired: true })]);
    });

    it('no file at all, or the wrong field', async () => {
      expectInvalid(await admin.post('settings/saml/certificate', {}), 'no certificate was given');
      expectInvalid(await uploadCertificateFile(t, admin, rsa.certPem, 'idp.pem', 'certificate'), 'the multipart field is "certificate", expected "file"');
      await unchanged();
    });
  });

  describe('Enforce SAML Login', () => {
    let enforced: TenantFixture;
    let enforcedAdmin: Session;
    beforeAll(async () => {
      enforced = await createTenant(t);
      enforcedAdmin = await signIn(t, enforced.slug, enforced.admin.email, enforced.admin.password);
      await setUpSaml(enforcedAdmin, rsa.certPem);
    });
    const samlSignIn = async () => {
      const r = await buildIdpResponse({ preset: 'okta', key: rsa.keyPem, cert: rsa.certPem, acsUrl: acsUrl(enforced.slug), nameId: enforced.admin.email });
      return postAcs(t, enforced.slug, r.base64);
    };

    it('on: password login answers 403 saml_enforced, the login page learns it, SAML sign-in works', async () => {
      const on = await enforcedAdmin.put('settings/saml', { enforceLogin: true });
      expect(on.status).toBe(200);
      expect(on.body.saml).toMatchObject({ enabled: true, enforceLogin: true });
      const password = await login(t, enforced.slug, enforced.admin.email, enforced.admin.password);
      expect(password.status).toBe(403);
      expect(password.body.error).toBe('saml_enforced');
      expect(password.headers['set-cookie']).toBeUndefined();
      expect((await request(t.http).get(`/api/t/${enforced.slug}/auth/options`)).body).toMatchObject({ samlEnabled: true, samlEnforced: true });
      expectSignedIn(await samlSignIn(), `/t/${enforced.slug}/app`);
    });

    it('off again: password login works', async () => {
      expect((await enforcedAdmin.put('settings/saml', { enforceLogin: false })).body.saml.enforceLogin).toBe(false);
      expect((await login(t, enforced.slug, enforced.admin.email, enforced.admin.password)).status).toBe(200);
    });

    it('operator break-glass unenforce restores password login', async () => {
      expect((await enforcedAdmin.put('settings/saml', { enforceLogin: true })).status).toBe(200);
      expect((await login(t, enforced.slug, enforced.admin.email, enforced.admin.password)).status).toBe(403);
      const unenforce = await request(t.http).post(`/api/operator/tenants/${enforced.slug}/saml/unenforce`).set('authorization', `Bearer ${OPERATOR_TOKEN}`);
      expect(unenforce.status).toBe(200);
      expect(unenforce.body).toMatchObject({ enforceLogin: false, wasEnforced: true });
      expect((await login(t, enforced.slug, enforced.admin.email, enforced.admin.password)).status).toBe(200);
      expect((await enforcedAdmin.get('settings/security')).body.saml).toMatchObject({ enabled: true, enforceLogin: false });
    });

    it('disabling SAML turns Enforce SAML Login off with it; enforcing while SAML is off is refused', async () => {
      expect((await enforcedAdmin.put('settings/saml', { enforceLogin: true })).status).toBe(200);
      const off = await enforcedAdmin.put('settings/saml', { enabled: false });
      expect(off.status).toBe(200);
      expect(off.body.saml).toMatchObject({ enabled: false, enforceLogin: false });
      expect((await login(t, enforced.slug, enforced.admin.email, enforced.admin.password)).status).toBe(200);
      expectRefused(await samlSignIn(), 403, 'SAML sign-on is not enabled');
      const refused = await enforcedAdmin.put('settings/saml', { enforceLogin: true });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('saml_not_enabled');
      const again = await enforcedAdmin.put('settings/saml', { enabled: true });
      expect(again.body.saml).toMatchObject({ enabled: true, enforceLogin: false });
      const audit = await queryDatabase<{ reason: string }>(t.db, "SELECT reason FROM audit_events WHERE tenant_id = $1 AND action = 'saml.update' AND reason IS NOT NULL ORDER BY id DESC LIMIT 1", [enforced.id]);
      expect(audit[0]!.reason).toBe('Enforce SAML Login turned off with SAML');
    });
  });
});

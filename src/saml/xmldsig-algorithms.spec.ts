import { describe, expect, it } from '@jest/globals';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { generateTestCertificate } from '../../test/utils/certificates.js';
import { buildIdpResponse } from '../../test/utils/fake-idp.js';
import { registerXmlDsigAlgorithms } from './xmldsig-algorithms.js';

const ACS = 'http://localhost:3000/saml/acme/acs';

describe('xml-crypto algorithm policy for node-saml (without the pre-checks)', () => {
  const cert = generateTestCertificate();
  const sp = () =>
    new SAML({
      idpCert: [cert.certPem],
      issuer: ACS,
      callbackUrl: ACS,
      wantAssertionsSigned: false,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: 60_000,
    });
  const response = (signatureAlgorithm: 'rsa-sha1' | 'rsa-sha256') =>
    buildIdpResponse({ preset: 'entra', key: cert.keyPem, cert: cert.certPem, acsUrl: ACS, signatureAlgorithm });

  it('node-saml itself refuses RSA-SHA1 once registered, and still accepts RSA-SHA256', async () => {
    registerXmlDsigAlgorithms();
    const sha1 = await response('rsa-sha1');
    await expect(sp().validatePostResponseAsync({ SAMLResponse: sha1.base64 })).rejects.toThrow(/Invalid signature/);
    const sha256 = await response('rsa-sha256');
    await expect(sp().validatePostResponseAsync({ SAMLResponse: sha256.base64 })).resolves.toMatchObject({ profile: { nameID: 'alice@acme.test' } });
  });

  it('is idempotent and names the patched xml-crypto file', () => {
    const first = registerXmlDsigAlgorithms();
    const second = registerXmlDsigAlgorithms();
    expect(first).toEqual(second);
    expect(first[0]).toMatch(/xml-crypto/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, sign, verify, X509Certificate } from 'node:crypto';
import { generateSelfSignedRsa } from './self-signed-certificate.js';

describe('generateSelfSignedRsa', () => {
  it('makes an RSA-2048 key pair with a self-signed SHA-256 certificate for signing and key encipherment', async () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const pair = await generateSelfSignedRsa({ commonName: 'Latchkey SAML SP acme', days: 3650, now });
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subject).toBe('CN=Latchkey SAML SP acme');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - 3_600_000);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() - 3_600_000 + 3650 * 86_400_000);
    expect(cert.ca).toBe(false);
    // The private key belongs to the certificate: it signs what the certificate verifies, and decrypts what it encrypts.
    const key = createPrivateKey(pair.keyPem);
    expect(verify('sha256', Buffer.from('x'), createPublicKey(pair.certPem), sign('sha256', Buffer.from('x'), key))).toBe(true);
    expect(privateDecrypt(key, publicEncrypt(cert.publicKey, Buffer.from('k'))).toString()).toBe('k');
  });

  it('refuses keys under 2048 bits', async () => {
    await expect(generateSelfSignedRsa({ commonName: 'x', days: 1, modulusLength: 1024 })).rejects.toThrow('RSA keys under 2048 bits are not made');
  });
});

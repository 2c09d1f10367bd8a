import { X509Certificate } from 'node:crypto';
import type { StoredSpKey } from '../tenancy/tenant-security-settings.entity.js';

/** How long a generated SP certificate is valid. IdPs do not need to trust a CA for it; rotation is by key, see README. */
export const SP_CERTIFICATE_DAYS = 10 * 365;
export const SP_KEY_BITS = 2048;

/** The key that signs AuthnRequests and is listed first in the metadata. */
export function activeKey(keys: readonly StoredSpKey[]): StoredSpKey | null {
  return keys.find((k) => k.use === 'active') ?? null;
}

/** The certificates the SP metadata publishes, for signing and encryption: the active key, then a rotation's next key. */
export function publishedKeys(keys: readonly StoredSpKey[]): StoredSpKey[] {
  return [...keys.filter((k) => k.use === 'active'), ...keys.filter((k) => k.use === 'next')];
}

/**
 * The keys tried, in this order, on an EncryptedAssertion: the active one, the next one (an IdP
 * that already read the rotated metadata), then the previous one (an IdP that has not yet).
 */
export function decryptionKeys(keys: readonly StoredSpKey[]): StoredSpKey[] {
  const order: StoredSpKey['use'][] = ['active', 'next', 'previous'];
  return order.flatMap((use) => keys.filter((k) => k.use === use));
}

/** The settings object's `spCertificate`: the active certificate's expiry and fingerprint. */
export function spCertificateView(keys: readonly StoredSpKey[]): { notAfter: string; sha256Fingerprint: string } | null {
  const key = activeKey(keys);
  if (!key) return null;
  const cert = new X509Certificate(key.certPem);
  return { notAfter: new Date(cert.validTo).toISOString(), sha256Fingerprint: cert.fingerprint256 };
}

/** The base64 body of a certificate PEM, as <ds:X509Certificate> holds it. */
export function certificateBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

import { X509Certificate } from 'node:crypto';

/** Smallest RSA modulus or DSA prime accepted, at upload and at verification (CONTRACT section 3, v2). */
export const MIN_KEY_BITS = 2048;

/** Certificates one tenant may trust at once: a metadata rollover lists two, rarely three. */
export const MAX_TRUSTED_CERTIFICATES = 4;

/** The key size in bits (RSA modulus, DSA prime), 0 when Node cannot tell. */
export function keyBits(cert: X509Certificate): number {
  return cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** Null when the certificate's key is long enough, else why not (for an upload error or an audit reason). */
export function weakKeyReason(cert: X509Certificate): string | null {
  const bits = keyBits(cert);
  if (bits >= MIN_KEY_BITS) return null;
  const type = cert.publicKey.asymmetricKeyType === 'dsa' ? 'DSA' : 'RSA';
  return `its ${type} key is ${bits} bits; at least ${MIN_KEY_BITS} bits are required`;
}

import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from '../contract/api-views.js';

/** Describes a stored PEM certificate (already validated at upload as RSA or DSA) as the settings API shows it. */
export function describeCertificate(pem: string, now: Date = new Date()): CertificateInfo {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  const type = key.asymmetricKeyType;
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    keyAlgorithm: type === 'dsa' ? 'DSA' : 'RSA',
    keySize: key.asymmetricKeyDetails?.modulusLength ?? 0,
    sha256Fingerprint: cert.fingerprint256,
    expired: notAfter.getTime() < now.getTime(),
  };
}

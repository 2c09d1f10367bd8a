import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from '../contract/api-views.js';

/**
 * A certificate's validity bound as a Date, or null when it cannot be read: OpenSSL accepts a
 * certificate whose UTCTime/GeneralizedTime is malformed and Node then reports "Bad time value".
 */
export function certificateTime(text: string): Date | null {
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? null : time;
}

/** Null when both validity bounds are readable, else which one is not (for an upload error). */
export function unreadableValidity(cert: X509Certificate): string | null {
  const bad = [certificateTime(cert.validFrom) ? null : 'notBefore', certificateTime(cert.validTo) ? null : 'notAfter'].filter(Boolean);
  return bad.length === 0 ? null : `its validity ${bad.join(' and ')} ${bad.length === 1 ? 'is' : 'are'} not a valid time`;
}

/**
 * Describes a stored PEM certificate (validated at upload as RSA or DSA with readable dates).
 * A certificate stored before the dates were checked still describes: an unreadable bound is
 * shown as Node reports it and the certificate counts as expired, never an error for the page.
 */
export function describeCertificate(pem: string, now: Date = new Date()): CertificateInfo {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  const type = key.asymmetricKeyType;
  const notBefore = certificateTime(cert.validFrom);
  const notAfter = certificateTime(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber,
    notBefore: notBefore?.toISOString() ?? cert.validFrom,
    notAfter: notAfter?.toISOString() ?? cert.validTo,
    keyAlgorithm: type === 'dsa' ? 'DSA' : 'RSA',
    keySize: key.asymmetricKeyDetails?.modulusLength ?? 0,
    sha256Fingerprint: cert.fingerprint256,
    expired: !notBefore || !notAfter || notAfter.getTime() < now.getTime(),
  };
}

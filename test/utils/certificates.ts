// Self-signed X.509 v3 test certificates (RSA, DSA, EC) with node:crypto only: Node can make keys
// and sign bytes but has no certificate builder, so the service's DER encoder (src/common/crypto/der.ts)
// builds the TBSCertificate.
// No openssl process; DSA works (no npm library makes DSA certificates); validity can be backdated
// (already expired, not yet valid). Each result is checked with X509Certificate#verify.
import { generateKeyPairSync, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, bool, commonName, explicit, int, NULL, octetString, oid, seq, time, tlv } from '../../src/common/crypto/der.js';

export type TestKeyType = 'rsa' | 'dsa' | 'ec';

export interface TestCertificate {
  /** PEM of the self-signed X.509 certificate. */
  certPem: string;
  /** PEM (PKCS#8) of its private key: made per test run, never committed. */
  keyPem: string;
  /** DER bytes of the certificate (what a .cer download from an IdP holds). */
  der: Buffer;
}

export interface TestCertificateOptions {
  type?: TestKeyType;
  cn?: string;
  /** Validity in days from notBefore (default 365). */
  days?: number;
  /** Start of validity (default one minute ago); with a small `days`, gives an expired certificate. */
  notBefore?: Date;
  /** Signature algorithm of the certificate itself (default SHA-256 for the key type). */
  hash?: 'sha256' | 'sha1';
  /** RSA modulus (default 2048). */
  modulusLength?: number;
}

const name = commonName;

const SIG_OIDS: Record<TestKeyType, Record<'sha256' | 'sha1', () => Buffer>> = {
  rsa: { sha256: () => seq(oid('1.2.840.113549.1.1.11'), NULL), sha1: () => seq(oid('1.2.840.113549.1.1.5'), NULL) },
  dsa: { sha256: () => seq(oid('2.16.840.1.101.3.4.3.2')), sha1: () => seq(oid('1.2.840.10040.4.3')) },
  ec: { sha256: () => seq(oid('1.2.840.10045.4.3.2')), sha1: () => seq(oid('1.2.840.10045.4.1')) },
};

function selfSigned(type: TestKeyType, publicKey: KeyObject, privateKey: KeyObject, o: TestCertificateOptions): Buffer {
  const hash = o.hash ?? 'sha256';
  const algId = SIG_OIDS[type][hash];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (o.days ?? 365) * 86_400_000);
  const cn = o.cn ?? 'Latchkey Test IdP';
  const extensions = explicit(
    3,
    seq(
      seq(oid('2.5.29.19'), bool(true), octetString(seq())), // basicConstraints: critical, CA:FALSE
      seq(oid('2.5.29.15'), bool(true), octetString(tlv(0x03, Buffer.from([7, 0x80])))), // keyUsage: digitalSignature
    ),
  );
  const tbs = seq(explicit(0, int(Buffer.from([2]))), int(serial), algId(), name(cn), seq(time(notBefore), time(notAfter)), name(cn), publicKey.export({ type: 'spki', format: 'der' }), extensions);
  // DSA and ECDSA: node's default dsaEncoding 'der' is the SEQUENCE{r,s} X.509 wants.
  const signature = cryptoSign(hash, tbs, privateKey);
  return seq(tbs, algId(), bitString(signature));
}

function keyPair(type: TestKeyType, modulusLength: number): { publicKey: KeyObject; privateKey: KeyObject } {
  if (type === 'rsa') return generateKeyPairSync('rsa', { modulusLength });
  if (type === 'dsa') return generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** A fresh self-signed certificate, as an IdP admin would download it. */
export function generateTestCertificate(options: TestCertificateOptions = {}): TestCertificate {
  const type = options.type ?? 'rsa';
  const { publicKey, privateKey } = keyPair(type, options.modulusLength ?? 2048);
  const der = selfSigned(type, publicKey, privateKey, options);
  const x509 = new X509Certificate(der);
  if (!x509.verify(publicKey)) throw new Error('test certificate self-check failed');
  return { certPem: x509.toString(), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), der };
}

/** The bare base64 body of a PEM (what goes in <ds:X509Certificate>, and what Entra shows). */
export function pemToBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
}

import { generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { bitString, bool, commonName, explicit, int, NULL, octetString, oid, seq, time, tlv } from './der.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SelfSignedKeyPair {
  /** PEM of the self-signed X.509 v3 certificate. */
  certPem: string;
  /** PKCS#8 PEM of the private key: seal it before storing it. */
  keyPem: string;
}

export interface SelfSignedOptions {
  commonName: string;
  /** RSA modulus length; at least 2048. */
  modulusLength?: number;
  /** Validity from now, in days. */
  days: number;
  now?: Date;
}

const SHA256_WITH_RSA = (): Buffer => seq(oid('1.2.840.113549.1.1.11'), NULL);

/** DER of a self-signed RSA certificate (sha256WithRSAEncryption) for `publicKey`. */
function certificateDer(publicKey: KeyObject, privateKey: KeyObject, o: SelfSignedOptions): Buffer {
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  // Backdated a little: an IdP whose clock is behind must not see a not-yet-valid certificate.
  const notBefore = new Date((o.now ?? new Date()).getTime() - 60 * 60_000);
  const notAfter = new Date(notBefore.getTime() + o.days * 86_400_000);
  const extensions = explicit(
    3,
    seq(
      seq(oid('2.5.29.19'), bool(true), octetString(seq())), // basicConstraints: critical, CA:FALSE
      // keyUsage: digitalSignature (AuthnRequests) and keyEncipherment (RSA-OAEP key transport)
      seq(oid('2.5.29.15'), bool(true), octetString(tlv(0x03, Buffer.from([5, 0xa0])))),
    ),
  );
  const name = commonName(o.commonName);
  const tbs = seq(explicit(0, int(Buffer.from([2]))), int(serial), SHA256_WITH_RSA(), name, seq(time(notBefore), time(notAfter)), name, publicKey.export({ type: 'spki', format: 'der' }), extensions);
  return seq(tbs, SHA256_WITH_RSA(), bitString(sign('sha256', tbs, privateKey)));
}

/**
 * A fresh RSA key pair (generated off the event loop) with a self-signed certificate, checked by
 * reading it back and verifying its signature.
 */
export async function generateSelfSignedRsa(o: SelfSignedOptions): Promise<SelfSignedKeyPair> {
  const modulusLength = o.modulusLength ?? 2048;
  if (modulusLength < 2048) throw new Error('RSA keys under 2048 bits are not made');
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength });
  const x509 = new X509Certificate(certificateDer(publicKey, privateKey, o));
  if (!x509.verify(publicKey)) throw new Error('self-signed certificate failed its own check');
  return { certPem: x509.toString(), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

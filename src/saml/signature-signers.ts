import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { weakKeyReason } from './certificate-key.js';
import type { SignatureInDocument } from './saml-response-precheck.js';
import { SamlErrorCode, SamlException } from './saml.exception.js';

/** The parts of xml-crypto's SignedXml this uses; private in its typings, stable at runtime (6.x). */
interface SignedInfoVerifier {
  loadSignature(node: Node): void;
  getCanonSignedInfoXml(doc: Document): string;
  findSignatureAlgorithm(name?: string): { verifySignature(material: string, key: string, signatureValue: string): boolean };
  signatureAlgorithm?: string;
  signatureValue?: string;
}

/**
 * Which of the trusted certificates signed one of `signatures`, read from the DOM the pre-check
 * already built: xml-crypto canonicalises each SignedInfo once, and each certificate costs one
 * public-key operation. node-saml then verifies (digests, references, signature) with only those
 * certificates: without this, xml-crypto re-parses the whole response once per stored
 * certificate. This is a pre-selection, never a verdict of validity: a certificate found here
 * still goes through node-saml's full check, and one not found here would fail it anyway (same
 * canonicalisation code, same bytes).
 *
 * Throws SignatureInvalid when no certificate signed, WeakKey when only certificates with keys
 * under MIN_KEY_BITS did (stored before the floor existed).
 */
export function selectSigningCertificates(signatures: readonly SignatureInDocument[], pems: string[]): string[] {
  const canonical: { material: string; verifier: SignedInfoVerifier }[] = [];
  const problems: string[] = [];
  for (const { doc, signature } of signatures) {
    try {
      const verifier = new SignedXml() as unknown as SignedInfoVerifier;
      verifier.loadSignature(signature);
      canonical.push({ material: verifier.getCanonSignedInfoXml(doc), verifier });
    } catch (err) {
      problems.push(String((err as Error).message).slice(0, 200));
    }
  }
  const signers = pems.filter((pem) =>
    canonical.some(({ material, verifier }) => {
      try {
        return verifier.findSignatureAlgorithm(verifier.signatureAlgorithm).verifySignature(material, pem, verifier.signatureValue ?? '') === true;
      } catch {
        return false; // a DSA key under an RSA algorithm and the like: this certificate did not sign
      }
    }),
  );
  if (signers.length === 0) {
    const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
    throw new SamlException(SamlErrorCode.SignatureInvalid, `Invalid signature: it does not verify with any of the ${pems.length} uploaded certificate(s)${why}`);
  }
  const strong = signers.filter((pem) => weakKeyReason(new X509Certificate(pem)) === null);
  if (strong.length === 0) {
    const cert = new X509Certificate(signers[0]!);
    throw new SamlException(SamlErrorCode.WeakKey, `signed by uploaded certificate ${cert.fingerprint256}, but ${weakKeyReason(cert)}`);
  }
  return strong;
}

/** Answers of hasStrongKey by PEM, at most STRENGTH_CACHE_SIZE (a fact of the PEM's bytes, never stale). */
const strength = new Map<string, boolean>();
const STRENGTH_CACHE_SIZE = 256;

/**
 * Whether a certificate's key meets MIN_KEY_BITS (the rule selectSigningCertificates applies to
 * signers). Remembered per PEM: parsing the certificate was ~2% of a sign-in's CPU.
 */
export function hasStrongKey(pem: string): boolean {
  let strong = strength.get(pem);
  if (strong === undefined) {
    strong = weakKeyReason(new X509Certificate(pem)) === null;
    if (strength.size >= STRENGTH_CACHE_SIZE) strength.clear();
    strength.set(pem, strong);
  }
  return strong;
}

// XML-DSig algorithm policy for the xml-crypto copy node-saml verifies with:
//   - adds DSA-SHA256 (xmldsig11#dsa-sha256), which xml-crypto 6 does not ship;
//   - refuses SHA-1 signature methods for verification (signing, e.g. by a test IdP, still works).
// node-saml builds `new SignedXml()` internally and has no option for algorithms, and xml-crypto 6
// sets `SignatureAlgorithms` per instance in its constructor, so the one place every lookup goes
// through is `SignedXml.prototype.findSignatureAlgorithm` (private in the .d.ts, a normal method at
// runtime). It is wrapped on the copy node-saml itself resolves (createRequire from node-saml's
// location), so hoisting or a nested copy does not matter. A self-test at registration fails boot
// loudly if a future xml-crypto stops routing lookups through that method.
import { createRequire } from 'node:module';
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, KeyObject, type KeyLike } from 'node:crypto';
import type { SignatureAlgorithm, SignedXml as SignedXmlType } from 'xml-crypto';

export const DSA_SHA256 = 'http://www.w3.org/2009/xmldsig11#dsa-sha256';
export const DSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#dsa-sha1';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const HMAC_SHA1 = 'http://www.w3.org/2000/09/xmldsig#hmac-sha1';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA384 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384';
export const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';

/** Signature methods a SAML response may use (SHA-256 or stronger). */
export const ACCEPTED_SIGNATURE_METHODS: ReadonlySet<string> = new Set([RSA_SHA256, RSA_SHA384, RSA_SHA512, DSA_SHA256]);
/** Digest methods a SAML response may use. */
export const ACCEPTED_DIGEST_METHODS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);
/** Refused for verification even if the policy check above were bypassed. */
const DENY_VERIFY = [RSA_SHA1, DSA_SHA1, HMAC_SHA1];

type Cb<T> = (err: Error | null, result?: T) => void;
type AlgorithmClass = new () => SignatureAlgorithm;

function makeDsa(uri: string, hash: 'sha256' | 'sha1'): AlgorithmClass {
  class Dsa {
    getAlgorithmName(): string {
      return uri;
    }

    // The XML-DSig DSA SignatureValue is r||s (IEEE P1363), not DER.
    getSignature(signedInfo: string, privateKey: KeyLike, callback?: Cb<string>): string | void {
      try {
        const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
        const value = cryptoSign(hash, Buffer.from(signedInfo), { key, dsaEncoding: 'ieee-p1363' }).toString('base64');
        if (callback) return void callback(null, value);
        return value;
      } catch (err) {
        if (callback) return void callback(err as Error);
        throw err;
      }
    }

    verifySignature(material: string, key: KeyLike, signatureValue: string, callback?: Cb<boolean>): boolean | void {
      let ok = false;
      try {
        const pub = key instanceof KeyObject ? key : createPublicKey(key);
        // Key/algorithm confusion guard: an RSA key never verifies a "DSA" signature.
        if (pub.asymmetricKeyType === 'dsa') {
          ok = cryptoVerify(hash, Buffer.from(material), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureValue, 'base64'));
        }
      } catch (err) {
        if (callback) return void callback(err as Error);
        throw err;
      }
      if (callback) return void callback(null, ok);
      return ok;
    }
  }
  return Dsa as unknown as AlgorithmClass; // SignatureAlgorithm has overloads; the runtime shape matches
}

/** The DSA-SHA256 algorithm as an xml-crypto SignatureAlgorithm class (signing too, for tests). */
export const DsaSha256 = makeDsa(DSA_SHA256, 'sha256');
const DsaSha1 = makeDsa(DSA_SHA1, 'sha1');

const PATCHED = Symbol.for('latchkey.xmlcrypto.algorithms');
interface PatchState {
  extra: Record<string, AlgorithmClass>;
  denyVerify: Set<string>;
}
type PatchableProto = {
  findSignatureAlgorithm(this: SignedXmlType, name?: string): SignatureAlgorithm;
  [PATCHED]?: PatchState;
};

function patch(SignedXml: typeof SignedXmlType, extra: Record<string, AlgorithmClass>, denyVerify: string[]): void {
  const proto = SignedXml.prototype as unknown as PatchableProto;
  if (!proto[PATCHED]) {
    const original = proto.findSignatureAlgorithm;
    if (typeof original !== 'function') throw new Error('xml-crypto: findSignatureAlgorithm not found, cannot register DSA');
    const state: PatchState = { extra: {}, denyVerify: new Set() };
    proto[PATCHED] = state;
    proto.findSignatureAlgorithm = function (this: SignedXmlType, name?: string): SignatureAlgorithm {
      const table = (this.SignatureAlgorithms ?? {}) as Record<string, unknown>;
      const Extra = name ? state.extra[name] : undefined;
      // The instance table wins; never add DSA to an HMAC-only instance.
      const algorithm = Extra && !(name! in table) && !(HMAC_SHA1 in table) ? new Extra() : original.call(this, name);
      if (name && state.denyVerify.has(name)) {
        const refuse = (...args: unknown[]): unknown => {
          const err = new Error(`signature algorithm '${name}' is not accepted for verification`);
          const cb = args[3];
          if (typeof cb === 'function') return void (cb as Cb<boolean>)(err, false);
          throw err;
        };
        (algorithm as unknown as { verifySignature: typeof refuse }).verifySignature = refuse;
      }
      return algorithm;
    };
  }
  Object.assign(proto[PATCHED]!.extra, extra);
  for (const uri of denyVerify) proto[PATCHED]!.denyVerify.add(uri);
  const probe = new SignedXml() as unknown as PatchableProto;
  if (probe.findSignatureAlgorithm.call(probe as unknown as SignedXmlType, DSA_SHA256).getAlgorithmName() !== DSA_SHA256) {
    throw new Error('xml-crypto DSA registration self-test failed');
  }
}

/**
 * Registers DSA-SHA256 (and DSA-SHA1 when `sha1`) on the xml-crypto copy each package resolves,
 * and refuses SHA-1 signature methods for verification. Idempotent; call before the first
 * validation. Returns the xml-crypto files patched.
 */
export function registerXmlDsigAlgorithms(opts: { packages?: string[]; sha1?: boolean; denyVerify?: string[] } = {}): string[] {
  const { packages = ['@node-saml/node-saml'], sha1 = false, denyVerify = DENY_VERIFY } = opts;
  const extra: Record<string, AlgorithmClass> = { [DSA_SHA256]: DsaSha256, ...(sha1 ? { [DSA_SHA1]: DsaSha1 } : {}) };
  const appRequire = createRequire(import.meta.url);
  return packages.map((pkg) => {
    const pkgRequire = createRequire(appRequire.resolve(pkg));
    const xmlCrypto = pkgRequire('xml-crypto') as typeof import('xml-crypto');
    patch(xmlCrypto.SignedXml, extra, denyVerify);
    return pkgRequire.resolve('xml-crypto');
  });
}

import xmlenc from 'xml-encryption';
import { SamlErrorCode, SamlException } from './saml.exception.js';
import { parseStrictXml, XmlRefused } from './wire/strict-xml.js';
import { SAML_RESPONSE_XML_LIMITS } from './wire/xml-limits.js';

const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';

/** Content encryption the contract accepts (AES-128/256, CBC or GCM). */
export const ACCEPTED_DATA_ENCRYPTION = new Set([
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
]);
/** Key transport: RSA-OAEP only (RSA PKCS#1 v1.5 is refused before any private-key operation: Bleichenbacher). */
export const ACCEPTED_KEY_TRANSPORT = new Set(['http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p']);

/** Longest decrypted assertion read (characters); the ciphertext sits in a bounded response, this makes the bound explicit. */
export const MAX_DECRYPTED_ASSERTION_CHARS = 256 * 1024;

/** One of the tenant's SP private keys that may decrypt. */
export interface DecryptionKey {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
}

export interface DecryptedAssertion {
  /** The decrypted assertion, parsed under the same XML limits as a SAMLResponse. */
  doc: Document;
  /** The key that decrypted it: node-saml is given exactly this one (decryptionPvk). */
  key: DecryptionKey;
}

function decrypt(xml: string, key: DecryptionKey): Promise<string> {
  return new Promise((resolve, reject) => {
    xmlenc.decrypt(xml, { key: key.privateKeyPem, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/**
 * The algorithms of an EncryptedAssertion, checked before any key is used: one EncryptedData
 * whose content encryption is AES-CBC or AES-GCM, and RSA-OAEP for every EncryptedKey.
 */
function checkAlgorithms(encrypted: Element): void {
  const data = Array.from(encrypted.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === XENC_NS && (n as Element).localName === 'EncryptedData',
  );
  if (data.length !== 1) throw new SamlException(SamlErrorCode.Malformed, `the EncryptedAssertion holds ${data.length} EncryptedData elements; exactly one is required`);
  const keys = Array.from(encrypted.getElementsByTagNameNS(XENC_NS, 'EncryptedKey'));
  if (keys.length === 0) throw new SamlException(SamlErrorCode.DecryptionFailed, 'the EncryptedAssertion carries no EncryptedKey (a key agreed otherwise is not supported)');
  if (keys.length > 4) throw new SamlException(SamlErrorCode.Malformed, `the EncryptedAssertion holds ${keys.length} EncryptedKey elements (at most 4)`);
  for (const method of Array.from(encrypted.getElementsByTagNameNS(XENC_NS, 'EncryptionMethod'))) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    const parent = method.parentNode as Element | null;
    const accepted = parent?.localName === 'EncryptedKey' ? ACCEPTED_KEY_TRANSPORT : ACCEPTED_DATA_ENCRYPTION;
    if (!accepted.has(algorithm)) {
      const what = parent?.localName === 'EncryptedKey' ? 'key transport' : 'content encryption';
      throw new SamlException(SamlErrorCode.EncryptionAlgorithm, `${what} algorithm ${algorithm.slice(0, 120) || '(none)'} is not accepted (AES-128/256 CBC or GCM, RSA-OAEP)`);
    }
  }
}

/**
 * Decrypts an EncryptedAssertion (already inside the XML limits as part of the response) with
 * the tenant's SP keys, trying each in turn (active, next, previous: a key rotation in either
 * direction still decrypts). The plaintext is bounded and goes through the same bounded scan as
 * a SAMLResponse before any DOM is built from it: the SP certificate is public, so anyone can
 * encrypt a hostile document to it. Uses xml-encryption, the library node-saml decrypts with,
 * so both read the same plaintext. Every failure gives one public message (no padding or key
 * oracle beyond what the ACS failure throttle allows per address).
 */
export async function decryptAssertion(encrypted: Element, keys: readonly DecryptionKey[]): Promise<DecryptedAssertion> {
  checkAlgorithms(encrypted);
  if (keys.length === 0) throw new SamlException(SamlErrorCode.DecryptionFailed, 'the assertion is encrypted but the tenant has no SP key yet (enable SAML to create one)');
  const xml = encrypted.toString();
  const problems: string[] = [];
  for (const [i, key] of keys.entries()) {
    let plaintext: string;
    try {
      plaintext = await decrypt(xml, key);
    } catch (err) {
      problems.push(`key ${i + 1}: ${String((err as Error).message).slice(0, 120)}`);
      continue;
    }
    if (plaintext.length > MAX_DECRYPTED_ASSERTION_CHARS) {
      throw new SamlException(SamlErrorCode.XmlLimit, `the decrypted assertion is ${plaintext.length} characters, over ${MAX_DECRYPTED_ASSERTION_CHARS}`);
    }
    try {
      return { doc: parseStrictXml(plaintext.replace(/\r\n?/g, '\n'), SAML_RESPONSE_XML_LIMITS), key };
    } catch (err) {
      if (err instanceof XmlRefused && err.kind === 'doctype') throw new SamlException(SamlErrorCode.DoctypeRefused, 'the decrypted assertion contains a DOCTYPE or ENTITY declaration');
      if (err instanceof XmlRefused && err.kind === 'limit') {
        throw new SamlException(SamlErrorCode.XmlLimit, `decrypted assertion XML over a limit: ${err.message}`, `The SAML response is too complex to be read: ${err.message}.`);
      }
      // Decrypted with a wrong key by chance, or tampered CBC content: not XML. Try the next key.
      problems.push(`key ${i + 1}: the decrypted content is not well-formed XML (${String((err as Error).message).slice(0, 80)})`);
    }
  }
  throw new SamlException(SamlErrorCode.DecryptionFailed, `the EncryptedAssertion does not decrypt with any of the tenant's ${keys.length} SP key(s): ${problems.join('; ')}`);
}

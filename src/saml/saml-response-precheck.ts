import { SamlErrorCode, SamlException } from './saml.exception.js';
import { ACCEPTED_DIGEST_METHODS, ACCEPTED_SIGNATURE_METHODS } from './xmldsig-algorithms.js';
import { parseStrictXml, XmlRefused } from './wire/strict-xml.js';
import { SAML_RESPONSE_XML_LIMITS } from './wire/xml-limits.js';

export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** Largest SAMLResponse accepted (base64 text); the ACS body limit is set just above it. */
export const MAX_SAML_RESPONSE_BYTES = 256 * 1024;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes the SAMLResponse form field: strict base64 of UTF-8 XML, within the size limit. */
export function decodeSamlResponse(field: unknown): string {
  if (typeof field !== 'string' || field.trim() === '') {
    throw new SamlException(SamlErrorCode.Malformed, 'no SAMLResponse form field');
  }
  if (field.length > MAX_SAML_RESPONSE_BYTES) {
    throw new SamlException(SamlErrorCode.TooLarge, `SAMLResponse is ${field.length} bytes, over the ${MAX_SAML_RESPONSE_BYTES}-byte limit`);
  }
  const compact = field.replace(/[\r\n\t ]+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    throw new SamlException(SamlErrorCode.Malformed, 'SAMLResponse is not base64');
  }
  // XML processors normalise line ends (XML 1.0 §2.11); node-saml does it before xml-crypto but
  // not for its own DOM. Done once here, every later reader sees the same bytes.
  const xml = Buffer.from(compact, 'base64').toString('utf8').replace(/\r\n?/g, '\n');
  if (!xml.trimStart().startsWith('<')) throw new SamlException(SamlErrorCode.Malformed, 'SAMLResponse does not decode to XML');
  return xml;
}

function elements(parent: Document | Element, ns: string, local: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, local));
}

function children(parent: Element, ns: string, local: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local,
  );
}

/** An enveloped signature and the document it lives in (the response, or a decrypted assertion). */
export interface SignatureInDocument {
  doc: Document;
  signature: Element;
}

/** What the pre-check parsed, for the signer pre-selection (so it need not parse again). */
export interface PrecheckedResponse {
  doc: Document;
  /** The enveloped signatures node-saml will verify: the Response's and the (plain) Assertion's own. */
  signatures: SignatureInDocument[];
  /** The Response's InResponseTo attribute (unsigned when only the assertion is signed), or null. */
  inResponseTo: string | null;
  /** The EncryptedAssertion, when the assertion is encrypted: decrypt it, then precheckDecryptedAssertion. */
  encryptedAssertion: Element | null;
}

/** Only SHA-256-or-stronger signature and digest methods, anywhere in the document. */
function checkSignatureAlgorithms(doc: Document): void {
  for (const method of elements(doc, DSIG_NS, 'SignatureMethod')) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_SIGNATURE_METHODS.has(algorithm)) {
      throw new SamlException(SamlErrorCode.WeakAlgorithm, `signature method ${algorithm || '(none)'} is not accepted (SHA-256 or stronger required)`,
        /sha1/i.test(algorithm) ? undefined : `The SAML response is signed with an algorithm that is not accepted (${algorithm}). Set the identity provider's signing algorithm to RSA-SHA256.`);
    }
  }
  for (const method of elements(doc, DSIG_NS, 'DigestMethod')) {
    // RSA-OAEP names its hash (SHA-1 by default, which is sound there) with ds:DigestMethod inside
    // xenc:EncryptionMethod: key transport, not a signature digest.
    if ((method.parentNode as Element | null)?.namespaceURI === XENC_NS) continue;
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_DIGEST_METHODS.has(algorithm)) {
      throw new SamlException(SamlErrorCode.WeakAlgorithm, `digest method ${algorithm || '(none)'} is not accepted (SHA-256 or stronger required)`);
    }
  }
}

/** At least one signature where node-saml looks for one (the Response, or the assertion itself). */
export function requireSignature(signatures: readonly SignatureInDocument[], encrypted: boolean): void {
  if (signatures.length === 0) {
    throw new SamlException(
      SamlErrorCode.Unsigned,
      encrypted ? 'neither the Response nor the decrypted Assertion carries a signature' : 'neither the Response nor the Assertion carries a signature',
    );
  }
}

/**
 * Structural checks node-saml 5.1 does not make, run before it: no DTD, a SAML Response root,
 * Success status, exactly one Assertion or EncryptedAssertion as a direct child, Destination
 * (when present) equal to the ACS URL, for a plain assertion at least one signature where
 * node-saml looks for one, and only SHA-256-or-stronger signature and digest methods anywhere.
 * Nothing here is trusted for identity: that comes only from what node-saml verified.
 */
export function precheckResponse(xml: string, acsUrl: string): PrecheckedResponse {
  let doc: Document;
  try {
    doc = parseStrictXml(xml, SAML_RESPONSE_XML_LIMITS);
  } catch (err) {
    if (err instanceof XmlRefused && err.kind === 'doctype') {
      throw new SamlException(SamlErrorCode.DoctypeRefused, 'SAMLResponse contains a DOCTYPE or ENTITY declaration');
    }
    if (err instanceof XmlRefused && err.kind === 'limit') {
      throw new SamlException(SamlErrorCode.XmlLimit, `SAMLResponse XML over a limit: ${err.message}`, `The SAML response is too complex to be read: ${err.message}.`);
    }
    throw new SamlException(SamlErrorCode.Malformed, `SAMLResponse is not well-formed XML: ${(err as Error).message.slice(0, 200)}`);
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAMLP_NS || root.localName !== 'Response') {
    const found = root ? `{${root.namespaceURI ?? ''}}${root.localName ?? root.nodeName}` : 'nothing';
    throw new SamlException(SamlErrorCode.Malformed, `SAMLResponse root element is ${found}, not a SAML 2.0 protocol Response`);
  }

  const statusCode = children(root, SAMLP_NS, 'Status').flatMap((s) => children(s, SAMLP_NS, 'StatusCode'))[0];
  const status = statusCode?.getAttribute('Value') ?? '';
  if (status !== STATUS_SUCCESS) {
    const sub = statusCode ? (children(statusCode, SAMLP_NS, 'StatusCode')[0]?.getAttribute('Value') ?? '') : '';
    const message = children(root, SAMLP_NS, 'Status').flatMap((s) => children(s, SAMLP_NS, 'StatusMessage'))[0]?.textContent?.trim() ?? '';
    const shortName = (uri: string) => uri.split(':').pop() ?? uri;
    const detail = [status ? shortName(status) : 'no status', sub ? shortName(sub) : '', message].filter(Boolean).join(', ');
    throw new SamlException(
      SamlErrorCode.StatusNotSuccess,
      `Response status is ${status || '(missing)'}${sub ? ` / ${sub}` : ''}${message ? `: ${message.slice(0, 200)}` : ''}`,
      `Your identity provider reported that the sign-in did not succeed (${detail.slice(0, 200)}).`,
    );
  }

  const assertions = elements(doc, SAML_NS, 'Assertion');
  const encryptedAssertions = elements(doc, SAML_NS, 'EncryptedAssertion');
  if (assertions.length + encryptedAssertions.length !== 1) {
    const found = encryptedAssertions.length > 0 ? `${assertions.length} Assertion and ${encryptedAssertions.length} EncryptedAssertion elements` : `${assertions.length} Assertion elements`;
    throw new SamlException(SamlErrorCode.AssertionCount, `Response contains ${found}; exactly one is required`);
  }
  const assertion = assertions[0] ?? encryptedAssertions[0]!;
  if (assertion.parentNode !== root) {
    throw new SamlException(SamlErrorCode.AssertionCount, `the ${assertion.localName} is not a direct child of the Response`);
  }
  const encrypted = assertion.localName === 'EncryptedAssertion';

  const destination = root.getAttribute('Destination');
  if (root.hasAttribute('Destination') && destination !== acsUrl) {
    throw new SamlException(SamlErrorCode.DestinationMismatch, `Response Destination is "${destination}", expected "${acsUrl}"`);
  }

  const own = (parent: Element) => children(parent, DSIG_NS, 'Signature').map((signature) => ({ doc, signature }));
  const signatures = [...own(root), ...(encrypted ? [] : own(assertion))];
  if (!encrypted) requireSignature(signatures, false);
  checkSignatureAlgorithms(doc);
  return {
    doc,
    signatures,
    inResponseTo: root.hasAttribute('InResponseTo') ? root.getAttribute('InResponseTo') : null,
    encryptedAssertion: encrypted ? assertion : null,
  };
}

/**
 * The same rules for a decrypted assertion: it is one SAML Assertion (no other, nested or
 * encrypted, inside it), with only accepted signature and digest methods. Returns its own
 * enveloped signatures.
 */
export function precheckDecryptedAssertion(doc: Document): SignatureInDocument[] {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAML_NS || root.localName !== 'Assertion') {
    const found = root ? `{${root.namespaceURI ?? ''}}${root.localName ?? root.nodeName}` : 'nothing';
    throw new SamlException(SamlErrorCode.Malformed, `the EncryptedAssertion decrypts to ${found}, not a SAML 2.0 Assertion`);
  }
  const inner = elements(doc, SAML_NS, 'Assertion').length - 1 + elements(doc, SAML_NS, 'EncryptedAssertion').length;
  if (inner > 0) throw new SamlException(SamlErrorCode.AssertionCount, `the decrypted Assertion contains ${inner} further (possibly encrypted) assertion(s)`);
  checkSignatureAlgorithms(doc);
  return children(root, DSIG_NS, 'Signature').map((signature) => ({ doc, signature }));
}

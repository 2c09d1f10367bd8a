import { SamlErrorCode, SamlException } from './saml.exception.js';
import { ACCEPTED_DIGEST_METHODS, ACCEPTED_SIGNATURE_METHODS } from './xmldsig-algorithms.js';
import { parseStrictXml, XmlRefused } from './wire/strict-xml.js';
import { SAML_RESPONSE_XML_LIMITS } from './wire/xml-limits.js';

export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
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

/** What the pre-check parsed, for the signer pre-selection (so it need not parse again). */
export interface PrecheckedResponse {
  doc: Document;
  /** The enveloped signatures node-saml will verify: the Response's and the Assertion's own. */
  signatures: Element[];
}

/**
 * Structural checks node-saml 5.1 does not make, run before it: no DTD, a SAML Response root,
 * no InResponseTo (IdP-initiated only), Success status, exactly one plain Assertion as a direct
 * child, Destination (when present) equal to the ACS URL, at least one signature where node-saml
 * looks for one, and only SHA-256-or-stronger signature and digest methods anywhere.
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
  if (root.hasAttribute('InResponseTo')) {
    throw new SamlException(SamlErrorCode.Solicited, 'Response has InResponseTo: it answers an AuthnRequest, but only IdP-initiated sign-on is accepted');
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

  if (elements(doc, SAML_NS, 'EncryptedAssertion').length > 0) {
    throw new SamlException(SamlErrorCode.EncryptedAssertion, 'Response carries an EncryptedAssertion');
  }
  const assertions = elements(doc, SAML_NS, 'Assertion');
  if (assertions.length !== 1) {
    throw new SamlException(SamlErrorCode.AssertionCount, `Response contains ${assertions.length} Assertion elements; exactly one is required`);
  }
  const assertion = assertions[0]!;
  if (assertion.parentNode !== root) {
    throw new SamlException(SamlErrorCode.AssertionCount, 'the Assertion is not a direct child of the Response');
  }

  const destination = root.getAttribute('Destination');
  if (root.hasAttribute('Destination') && destination !== acsUrl) {
    throw new SamlException(SamlErrorCode.DestinationMismatch, `Response Destination is "${destination}", expected "${acsUrl}"`);
  }

  const topSignatures = [...children(root, DSIG_NS, 'Signature'), ...children(assertion, DSIG_NS, 'Signature')];
  if (topSignatures.length === 0) {
    throw new SamlException(SamlErrorCode.Unsigned, 'neither the Response nor the Assertion carries a signature');
  }
  for (const method of elements(doc, DSIG_NS, 'SignatureMethod')) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_SIGNATURE_METHODS.has(algorithm)) {
      throw new SamlException(SamlErrorCode.WeakAlgorithm, `signature method ${algorithm || '(none)'} is not accepted (SHA-256 or stronger required)`,
        /sha1/i.test(algorithm) ? undefined : `The SAML response is signed with an algorithm that is not accepted (${algorithm}). Set the identity provider's signing algorithm to RSA-SHA256.`);
    }
  }
  for (const method of elements(doc, DSIG_NS, 'DigestMethod')) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_DIGEST_METHODS.has(algorithm)) {
      throw new SamlException(SamlErrorCode.WeakAlgorithm, `digest method ${algorithm || '(none)'} is not accepted (SHA-256 or stronger required)`);
    }
  }
  return { doc, signatures: topSignatures };
}

import { X509Certificate } from 'node:crypto';
import { ApiException } from '../common/http/api-exception.js';
import { unreadableValidity } from './certificate-info.js';
import { MAX_TRUSTED_CERTIFICATES, weakKeyReason } from './certificate-key.js';
import { parseStrictXml, XmlRefused } from './wire/strict-xml.js';

/** Largest certificate or metadata upload (CONTRACT section 2). */
export const MAX_CERTIFICATE_UPLOAD_BYTES = 1_048_576;

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What an upload yields: canonical certificate PEMs and, from metadata, the IdP entity ID. */
export interface ParsedCertificateUpload {
  pems: string[];
  /** Metadata certificates left out because their keys are too short (SHA-256 fingerprint: why). */
  weakSkipped: string[];
  idpEntityId: string | null;
  /** From metadata: the IDPSSODescriptor's HTTP-Redirect SingleSignOnService Location, if any. */
  idpSsoUrl?: string | null;
  source: 'pem' | 'der' | 'base64' | 'metadata';
}

export function invalidCertificate(reason: string): ApiException {
  return new ApiException(400, 'invalid_certificate', reason);
}

const KEY_NAMES: Record<string, string> = { ec: 'EC', ed25519: 'Ed25519', ed448: 'Ed448', x25519: 'X25519', x448: 'X448', 'rsa-pss': 'RSA-PSS', dh: 'DH' };

/**
 * One DER certificate → canonical PEM, refusing anything but an X.509 certificate with an RSA or
 * DSA key of at least MIN_KEY_BITS.
 */
export function certificatePem(der: Buffer, label = 'the file'): string {
  const pem = anyKeyCertificatePem(der, label);
  const weak = weakKeyReason(new X509Certificate(pem));
  if (weak) throw invalidCertificate(`${label === 'the file' ? 'the certificate' : label} is refused: ${weak}`);
  return pem;
}

/** As certificatePem, but any RSA or DSA key size (metadata decides about weak keys as a set). */
function anyKeyCertificatePem(der: Buffer, label: string): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw invalidCertificate(`${label} is not an X.509 certificate (expected a PEM or DER certificate, its base64 text, or IdP metadata XML)`);
  }
  let type: string;
  try {
    // OpenSSL parses a certificate whose key cannot be decoded (a damaged algorithm identifier or
    // key bits): only reading the key fails, so it is read here, once, where a failure is a 400.
    type = cert.publicKey.asymmetricKeyType ?? 'unknown';
  } catch {
    throw invalidCertificate(`${label === 'the file' ? 'the certificate' : label} is refused: its public key cannot be read`);
  }
  if (type !== 'rsa' && type !== 'dsa') {
    const name = KEY_NAMES[type] ?? type.toUpperCase();
    throw invalidCertificate(`key algorithm ${name} is not supported; upload an RSA or DSA certificate`);
  }
  const badDates = unreadableValidity(cert);
  if (badDates) throw invalidCertificate(`${label === 'the file' ? 'the certificate' : label} is refused: ${badDates}`);
  return cert.toString();
}

function fromBase64(text: string, label: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) {
    throw invalidCertificate(`${label} is not an X.509 certificate (expected a PEM or DER certificate, its base64 text, or IdP metadata XML)`);
  }
  return Buffer.from(compact, 'base64');
}

function parsePem(text: string): string[] {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const certs = blocks.filter((m) => m[1] === 'CERTIFICATE' || m[1] === 'X509 CERTIFICATE' || m[1] === 'TRUSTED CERTIFICATE');
  if (certs.length === 0) {
    const kinds = [...new Set(blocks.map((m) => m[1]))];
    throw invalidCertificate(
      kinds.length > 0
        ? `the PEM holds ${kinds.join(', ')}, not an X.509 certificate; upload the certificate (BEGIN CERTIFICATE)`
        : 'the PEM has no complete BEGIN CERTIFICATE … END CERTIFICATE block',
    );
  }
  return certs.map((m, i) => certificatePem(fromBase64(m[2]!, `certificate ${i + 1}`), `certificate ${i + 1} of the PEM`));
}

function childElements(parent: Element, ns: string, local: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local,
  );
}

/**
 * SAML metadata (EntityDescriptor, or EntitiesDescriptor holding one IdP): every signing
 * certificate of the IDPSSODescriptor (KeyDescriptor use="signing" or without use), so a
 * rollover that lists two keeps both, and the entityID.
 */
export function parseIdpMetadata(xml: string): ParsedCertificateUpload {
  let doc: Document;
  try {
    doc = parseStrictXml(xml);
  } catch (err) {
    if (err instanceof XmlRefused && err.kind === 'doctype') {
      throw invalidCertificate('the metadata contains a DOCTYPE or ENTITY declaration, which is not accepted');
    }
    if (err instanceof XmlRefused && err.kind === 'limit') {
      throw invalidCertificate(`the metadata XML is over a limit: ${err.message}`);
    }
    throw invalidCertificate(`the metadata is not well-formed XML (${String((err as Error).message).slice(0, 160)})`);
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== MD_NS || (root.localName !== 'EntityDescriptor' && root.localName !== 'EntitiesDescriptor')) {
    throw invalidCertificate('the XML is not SAML 2.0 metadata (no md:EntityDescriptor)');
  }
  const entities = root.localName === 'EntityDescriptor' ? [root] : Array.from(doc.getElementsByTagNameNS(MD_NS, 'EntityDescriptor'));
  const idps = entities.filter((e) => childElements(e, MD_NS, 'IDPSSODescriptor').length > 0);
  if (idps.length === 0) throw invalidCertificate('the metadata has no IDPSSODescriptor, so no identity provider signing certificate');
  if (idps.length > 1) throw invalidCertificate(`the metadata describes ${idps.length} identity providers; upload the metadata of the one for this application`);
  const entity = idps[0]!;

  const bodies: string[] = [];
  for (const descriptor of childElements(entity, MD_NS, 'IDPSSODescriptor')) {
    for (const keyDescriptor of childElements(descriptor, MD_NS, 'KeyDescriptor')) {
      const use = keyDescriptor.getAttribute('use');
      if (use && use !== 'signing') continue;
      for (const keyInfo of childElements(keyDescriptor, DSIG_NS, 'KeyInfo')) {
        for (const data of childElements(keyInfo, DSIG_NS, 'X509Data')) {
          for (const cert of childElements(data, DSIG_NS, 'X509Certificate')) bodies.push(cert.textContent ?? '');
        }
      }
    }
  }
  if (bodies.length === 0) throw invalidCertificate('the metadata has no signing certificate (IDPSSODescriptor KeyDescriptor use="signing" with an X509Certificate)');
  const all = dedupe(bodies.map((b, i) => anyKeyCertificatePem(fromBase64(b, `metadata certificate ${i + 1}`), `metadata certificate ${i + 1}`)));
  // A published set mixing an old short key with a current one (rollover) keeps the strong ones:
  // the short key could never verify a sign-in anyway. A set with only short keys is refused.
  const weakSkipped: string[] = [];
  const pems = all.filter((pem) => {
    const cert = new X509Certificate(pem);
    const weak = weakKeyReason(cert);
    if (weak) weakSkipped.push(`${cert.fingerprint256}: ${weak}`);
    return weak === null;
  });
  if (pems.length === 0) {
    throw invalidCertificate(`every signing certificate in the metadata is refused: ${weakSkipped.map((w) => w.replace(/^[^ ]+ /, '')).join('; ')}`);
  }
  const entityId = entity.getAttribute('entityID')?.trim() || null;
  return { pems: capped(pems, 'the metadata'), weakSkipped, idpEntityId: entityId, idpSsoUrl: redirectSsoUrl(entity), source: 'metadata' };
}

const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** Where the IdP takes AuthnRequests by HTTP-Redirect (the binding GET /saml/{tenant}/login uses). */
function redirectSsoUrl(entity: Element): string | null {
  for (const descriptor of childElements(entity, MD_NS, 'IDPSSODescriptor')) {
    for (const sso of childElements(descriptor, MD_NS, 'SingleSignOnService')) {
      const location = sso.getAttribute('Location')?.trim();
      if (sso.getAttribute('Binding') === HTTP_REDIRECT && location) return location;
    }
  }
  return null;
}

function capped(pems: string[], what: string): string[] {
  if (pems.length > MAX_TRUSTED_CERTIFICATES) {
    throw invalidCertificate(`${what} holds ${pems.length} signing certificates; at most ${MAX_TRUSTED_CERTIFICATES} are kept at once (a key rollover needs two)`);
  }
  return pems;
}

function dedupe(pems: string[]): string[] {
  const seen = new Set<string>();
  return pems.filter((pem) => {
    const fp = new X509Certificate(pem).fingerprint256;
    if (seen.has(fp)) return false;
    seen.add(fp);
    return true;
  });
}

/**
 * Any accepted upload, by content: PEM (one or more certificates), DER (.cer/.crt), bare base64
 * of a DER certificate (what Entra and Okta show), or IdP metadata XML.
 * `expect` narrows the kinds (the JSON "metadata" field must be metadata).
 */
export function parseCertificateUpload(input: Buffer | string, expect: 'any' | 'metadata' = 'any'): ParsedCertificateUpload {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length > MAX_CERTIFICATE_UPLOAD_BYTES) {
    throw invalidCertificate(`the file is ${bytes.length} bytes, over the 1 MiB limit`);
  }
  if (bytes.length === 0) throw invalidCertificate('the file is empty');
  // DER starts with a SEQUENCE tag; anything else is read as text (UTF-8, BOM dropped).
  if (bytes[0] === 0x30 && expect === 'any') {
    return { pems: [certificatePem(bytes)], weakSkipped: [], idpEntityId: null, source: 'der' };
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trim();
  if (text.startsWith('<')) return parseIdpMetadata(text);
  if (expect === 'metadata') throw invalidCertificate('the metadata is not XML');
  if (text.includes('-----BEGIN')) return { pems: capped(dedupe(parsePem(text)), 'the PEM'), weakSkipped: [], idpEntityId: null, source: 'pem' };
  return { pems: [certificatePem(fromBase64(text, 'the file'))], weakSkipped: [], idpEntityId: null, source: 'base64' };
}

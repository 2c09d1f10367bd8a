import { DOMParser } from '@xmldom/xmldom';
import { assertXmlWithinLimits, DEFAULT_XML_LIMITS, XmlRefused, type XmlLimits } from './xml-limits.js';

export { XmlRefused } from './xml-limits.js';

/**
 * Parses XML that came from outside (a SAMLResponse, IdP metadata). First the linear bounded
 * scan (assertXmlWithinLimits: no DOCTYPE or ENTITY, so no XXE and no entity expansion; depth,
 * element, attribute, namespace and length limits), then the DOM, with every parser error or
 * fatal error thrown instead of being repaired. Throws XmlRefused with the reason.
 */
export function parseStrictXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  assertXmlWithinLimits(xml, limits);
  const fail = (msg: unknown) => {
    throw new XmlRefused('malformed', String(msg).slice(0, 200));
  };
  try {
    return new DOMParser({ errorHandler: { warning: () => undefined, error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (err) {
    if (err instanceof XmlRefused) throw err;
    throw new XmlRefused('malformed', String((err as Error).message).slice(0, 200));
  }
}

import { DOMParser } from '@xmldom/xmldom';

/**
 * Parses XML that came from outside (a SAMLResponse, IdP metadata): a DOCTYPE or ENTITY
 * declaration is refused before any parsing (no XXE, no entity expansion), and every parser
 * error or fatal error is thrown instead of being repaired. Throws XmlRefused with the reason.
 */
export class XmlRefused extends Error {
  constructor(
    readonly kind: 'doctype' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

export function parseStrictXml(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new XmlRefused('doctype', 'contains a DOCTYPE or ENTITY declaration');
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

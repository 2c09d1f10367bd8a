import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

export interface SamlResponseOptions {
  /** The tenant's ACS URL: Destination and Recipient. */
  acsUrl: string;
  /** The SP entity ID (the same URL in Latchkey): Audience. */
  audience: string;
  /** NameID, an email address. */
  email: string;
  issuer?: string;
  /** The IdP's signing key and certificate (the certificate is what the admin uploaded). */
  keyPem: string;
  certPem: string;
}

const escape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A SAML 2.0 Response with one Assertion signed by the IdP key (RSA-SHA256, exclusive c14n),
 * as Entra or Okta post it for IdP-initiated sign-on. Base64, ready for the SAMLResponse field.
 */
export function signedSamlResponse(opts: SamlResponseOptions): string {
  const now = new Date();
  const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000).toISOString();
  const issuer = escape(opts.issuer ?? 'https://idp.example.test/latchkey');
  const email = escape(opts.email);
  const assertionId = `_a${randomBytes(16).toString('hex')}`;
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${at(0)}" Destination="${escape(opts.acsUrl)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${at(0)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${email}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${at(300)}" Recipient="${escape(opts.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${at(-60)}" NotOnOrAfter="${at(300)}"><saml:AudienceRestriction><saml:Audience>${escape(opts.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${assertionId}"><saml:AuthnContext>` +
    `<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`;

  const sig = new SignedXml({
    privateKey: opts.keyPem,
    publicCert: opts.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return Buffer.from(sig.getSignedXml(), 'utf8').toString('base64');
}

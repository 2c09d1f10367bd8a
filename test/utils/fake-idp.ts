// A fake identity provider (Microsoft Entra ID and Okta look-alikes) on samlify: it renders the
// exact IdP-initiated Response XML (no InResponseTo) and lets samlify sign it, so tests post
// real signed responses. Which part is signed follows the SP entity flags samlify reads:
//   assertion only: wantAssertionsSigned=true, wantMessageSigned=false  (Entra's default)
//   response only : wantAssertionsSigned=false                          (Okta, as configured here)
//   both          : both true
//   none          : samlify cannot emit an unsigned response, so the raw XML is returned
import { randomUUID } from 'node:crypto';
import * as samlify from 'samlify';
import { SignedXml } from 'xml-crypto';
import { DSA_SHA256, DsaSha256, registerXmlDsigAlgorithms } from '../../src/saml/xmldsig-algorithms.js';

samlify.setSchemaValidator({ validate: async () => 'skipped' }); // only samlify's own parsers need it; the IdP side is ours

export const SIG_ALGS = {
  'rsa-sha1': 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'rsa-sha256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'rsa-sha512': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'dsa-sha256': DSA_SHA256,
} as const;
export type SigAlg = keyof typeof SIG_ALGS;

export const NAMEID = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
};
export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
};

let dsaRegistered = false;
/** Lets samlify sign with DSA-SHA256: its digest table plus the xml-crypto algorithm. */
function registerDsaForSamlify(): void {
  if (dsaRegistered) return;
  (samlify.Constants.algorithms.digest as Record<string, string>)[DSA_SHA256] = 'http://www.w3.org/2001/04/xmlenc#sha256';
  registerXmlDsigAlgorithms({ packages: ['samlify'] });
  dsaRegistered = true;
}

export const ENTRA_TENANT = '11111111-2222-3333-4444-555555555555';
export type Preset = 'entra' | 'okta';
type Attributes = Record<string, string | string[]>;

interface PresetDefaults {
  idpEntityId: string;
  sign: SignPart;
  nameIdFormat: string;
  authnContextClassRef: string;
  notBeforeOffsetMs: number;
  lifetimeMs: number;
  idPrefix: string;
  attributes: (u: { email: string; upn?: string }) => Attributes;
}

export const PRESETS: Record<Preset, PresetDefaults> = {
  // Entra: unprefixed assertion namespace, assertion signed, NameID = UPN, WS-Fed claim URIs, -5/+60 min.
  entra: {
    idpEntityId: `https://sts.windows.net/${ENTRA_TENANT}/`,
    sign: 'assertion',
    nameIdFormat: NAMEID.email,
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
    notBeforeOffsetMs: -5 * 60_000,
    lifetimeMs: 60 * 60_000,
    idPrefix: '_',
    attributes: (u) => ({
      'http://schemas.microsoft.com/identity/claims/tenantid': ENTRA_TENANT,
      'http://schemas.microsoft.com/identity/claims/objectidentifier': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'http://schemas.microsoft.com/identity/claims/displayname': 'Alice Example',
      'http://schemas.microsoft.com/identity/claims/identityprovider': `https://sts.windows.net/${ENTRA_TENANT}/`,
      'http://schemas.microsoft.com/claims/authnmethodsreferences': 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'Alice',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': 'Example',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': u.email,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': u.upn ?? u.email,
    }),
  },
  // Okta: saml2p/saml2 prefixes, Issuer Format=entity, NameID emailAddress, Response signed, -5/+5 min.
  okta: {
    idpEntityId: 'http://www.okta.com/exk1fakeOktaIdP0x7',
    sign: 'response',
    nameIdFormat: NAMEID.email,
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    notBeforeOffsetMs: -5 * 60_000,
    lifetimeMs: 5 * 60_000,
    idPrefix: 'id',
    attributes: (u) => ({ email: u.email, firstName: 'Alice', lastName: 'Example' }),
  },
};

export type SignPart = 'assertion' | 'response' | 'both' | 'none';
type Instant = Date | string;

export interface IdpResponseOptions {
  preset?: Preset;
  /** Signing key and certificate (PEM). */
  key: string;
  cert: string;
  sign?: SignPart;
  signatureAlgorithm?: SigAlg;
  acsUrl: string;
  spEntityId?: string;
  now?: Date;
  /** The NameID value (escaped); for Entra the UPN. */
  nameId?: string;
  /** Raw XML inside <NameID> (not escaped), e.g. with a comment. */
  nameIdRaw?: string;
  nameIdFormat?: string;
  /** The email claim (Entra emailaddress, Okta email); default = nameId. */
  email?: string;
  /** null for an optional XML attribute or element omits it. */
  destination?: string | null;
  recipient?: string | null;
  audience?: string | string[] | null;
  notBefore?: Instant | null;
  notOnOrAfter?: Instant | null;
  subjectNotOnOrAfter?: Instant | null;
  issueInstant?: Instant;
  responseId?: string;
  assertionId?: string;
  idpEntityId?: string;
  assertionIssuer?: string;
  inResponseTo?: string | null;
  statusCode?: string;
  subStatusCode?: string;
  statusMessage?: string;
  includeAssertion?: boolean;
  attributes?: Attributes;
  /** Edit the XML before signing (to make the IdP sign something unusual). */
  beforeSign?: (xml: string) => string;
  /** Edit the XML after signing (attacks). */
  afterSign?: (xml: string) => string;
  /**
   * Encrypt the assertion to this SP certificate (PEM) as samlify does: the assertion is signed
   * (if asked) first, then encrypted, then the Response is signed (if asked).
   */
  encryptTo?: string;
  /** Content encryption (default AES-256-GCM); key transport is RSA-OAEP (mgf1p). */
  dataEncryption?: DataEncryption;
}

export const DATA_ENCRYPTION = {
  'aes128-cbc': 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'tripledes-cbc': 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
} as const;
export type DataEncryption = keyof typeof DATA_ENCRYPTION;
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';

export interface IdpResponse {
  xml: string;
  base64: string;
  responseId: string;
  assertionId: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (d: Instant) => (d instanceof Date ? d.toISOString() : d);
const attr = (name: string, value: Instant | null | undefined) => (value === null || value === undefined ? '' : ` ${name}="${esc(iso(value))}"`);
const plus = (now: Date, ms: number) => new Date(now.getTime() + ms);

interface Rendered {
  preset: Preset;
  idpEntityId: string;
  assertionIssuer: string;
  responseId: string;
  assertionId: string;
  sessionIndex: string;
  issueInstant: Instant;
  authnInstant: Instant;
  destination: string | null;
  recipient: string | null;
  audience: string[] | null;
  notBefore: Instant | null;
  notOnOrAfter: Instant | null;
  subjectNotOnOrAfter: Instant | null;
  inResponseTo: string | null;
  statusCode: string;
  subStatusCode?: string;
  statusMessage?: string;
  includeAssertion: boolean;
  nameIdXml: string;
  nameIdFormat: string;
  authnContextClassRef: string;
  attributes: Attributes;
}

function renderAttributes(p: Rendered): string {
  const entries = Object.entries(p.attributes);
  if (entries.length === 0) return '';
  const values = (v: string | string[]) => ([] as string[]).concat(v);
  if (p.preset === 'okta') {
    const vals = (v: string | string[]) =>
      values(v)
        .map((x) => `<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(x)}</saml2:AttributeValue>`)
        .join('');
    return `<saml2:AttributeStatement>${entries.map(([n, v]) => `<saml2:Attribute Name="${esc(n)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${vals(v)}</saml2:Attribute>`).join('')}</saml2:AttributeStatement>`;
  }
  const vals = (v: string | string[]) => values(v).map((x) => `<AttributeValue>${esc(x)}</AttributeValue>`).join('');
  return `<AttributeStatement>${entries.map(([n, v]) => `<Attribute Name="${esc(n)}">${vals(v)}</Attribute>`).join('')}</AttributeStatement>`;
}

function renderEntra(p: Rendered): string {
  const conditions =
    `<Conditions${attr('NotBefore', p.notBefore)}${attr('NotOnOrAfter', p.notOnOrAfter)}>` +
    (p.audience ? `<AudienceRestriction>${p.audience.map((a) => `<Audience>${esc(a)}</Audience>`).join('')}</AudienceRestriction>` : '') +
    `</Conditions>`;
  const status = `<samlp:Status><samlp:StatusCode Value="${esc(p.statusCode)}">${p.subStatusCode ? `<samlp:StatusCode Value="${esc(p.subStatusCode)}"/>` : ''}</samlp:StatusCode>${p.statusMessage ? `<samlp:StatusMessage>${esc(p.statusMessage)}</samlp:StatusMessage>` : ''}</samlp:Status>`;
  const assertion = !p.includeAssertion
    ? ''
    : `<Assertion ID="${esc(p.assertionId)}" IssueInstant="${iso(p.issueInstant)}" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` +
      `<Issuer>${esc(p.assertionIssuer)}</Issuer>` +
      `<Subject><NameID Format="${esc(p.nameIdFormat)}">${p.nameIdXml}</NameID>` +
      `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData${attr('InResponseTo', p.inResponseTo)}${attr('NotOnOrAfter', p.subjectNotOnOrAfter)}${attr('Recipient', p.recipient)}/></SubjectConfirmation></Subject>` +
      conditions +
      renderAttributes(p) +
      `<AuthnStatement AuthnInstant="${iso(p.authnInstant)}" SessionIndex="${esc(p.sessionIndex)}"><AuthnContext><AuthnContextClassRef>${esc(p.authnContextClassRef)}</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
      `</Assertion>`;
  return (
    `<samlp:Response ID="${esc(p.responseId)}" Version="2.0" IssueInstant="${iso(p.issueInstant)}"${attr('Destination', p.destination)}${attr('InResponseTo', p.inResponseTo)} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${esc(p.idpEntityId)}</Issuer>${status}${assertion}</samlp:Response>`
  );
}

function renderOkta(p: Rendered): string {
  const conditions =
    `<saml2:Conditions${attr('NotBefore', p.notBefore)}${attr('NotOnOrAfter', p.notOnOrAfter)}>` +
    (p.audience ? `<saml2:AudienceRestriction>${p.audience.map((a) => `<saml2:Audience>${esc(a)}</saml2:Audience>`).join('')}</saml2:AudienceRestriction>` : '') +
    `</saml2:Conditions>`;
  const status = `<saml2p:Status xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2p:StatusCode Value="${esc(p.statusCode)}">${p.subStatusCode ? `<saml2p:StatusCode Value="${esc(p.subStatusCode)}"/>` : ''}</saml2p:StatusCode>${p.statusMessage ? `<saml2p:StatusMessage>${esc(p.statusMessage)}</saml2p:StatusMessage>` : ''}</saml2p:Status>`;
  const assertion = !p.includeAssertion
    ? ''
    : `<saml2:Assertion ID="${esc(p.assertionId)}" IssueInstant="${iso(p.issueInstant)}" Version="2.0" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">` +
      `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${esc(p.assertionIssuer)}</saml2:Issuer>` +
      `<saml2:Subject><saml2:NameID Format="${esc(p.nameIdFormat)}">${p.nameIdXml}</saml2:NameID>` +
      `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData${attr('InResponseTo', p.inResponseTo)}${attr('NotOnOrAfter', p.subjectNotOnOrAfter)}${attr('Recipient', p.recipient)}/></saml2:SubjectConfirmation></saml2:Subject>` +
      conditions +
      `<saml2:AuthnStatement AuthnInstant="${iso(p.authnInstant)}" SessionIndex="${esc(p.sessionIndex)}"><saml2:AuthnContext><saml2:AuthnContextClassRef>${esc(p.authnContextClassRef)}</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
      renderAttributes(p) +
      `</saml2:Assertion>`;
  return (
    `<saml2p:Response${attr('Destination', p.destination)} ID="${esc(p.responseId)}"${attr('InResponseTo', p.inResponseTo)} IssueInstant="${iso(p.issueInstant)}" Version="2.0" xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">${esc(p.idpEntityId)}</saml2:Issuer>${status}${assertion}</saml2p:Response>`
  );
}

const has = <K extends keyof IdpResponseOptions>(o: IdpResponseOptions, k: K) => Object.prototype.hasOwnProperty.call(o, k);

/** Builds and signs an IdP-initiated SAML Response shaped as Entra or Okta sends it. */
export async function buildIdpResponse(o: IdpResponseOptions): Promise<IdpResponse> {
  const preset = o.preset ?? 'entra';
  const d = PRESETS[preset];
  const now = o.now ?? new Date();
  const spEntityId = o.spEntityId ?? o.acsUrl;
  const nameId = o.nameId ?? 'alice@acme.test';
  const email = o.email ?? nameId;
  const newId = () => `${d.idPrefix}${preset === 'okta' ? randomUUID().replace(/-/g, '') : randomUUID()}`;
  const idpEntityId = o.idpEntityId ?? d.idpEntityId;
  const audience = has(o, 'audience') ? o.audience : spEntityId;
  const p: Rendered = {
    preset,
    idpEntityId,
    assertionIssuer: o.assertionIssuer ?? idpEntityId,
    responseId: o.responseId ?? newId(),
    assertionId: o.assertionId ?? newId(),
    sessionIndex: `_${randomUUID()}`,
    issueInstant: o.issueInstant ?? now,
    authnInstant: plus(now, -1000),
    destination: has(o, 'destination') ? (o.destination ?? null) : o.acsUrl,
    recipient: has(o, 'recipient') ? (o.recipient ?? null) : o.acsUrl,
    audience: audience === null || audience === undefined ? null : ([] as string[]).concat(audience),
    notBefore: has(o, 'notBefore') ? (o.notBefore ?? null) : plus(now, d.notBeforeOffsetMs),
    notOnOrAfter: has(o, 'notOnOrAfter') ? (o.notOnOrAfter ?? null) : plus(now, d.lifetimeMs),
    subjectNotOnOrAfter: has(o, 'subjectNotOnOrAfter') ? (o.subjectNotOnOrAfter ?? null) : plus(now, d.lifetimeMs),
    inResponseTo: o.inResponseTo ?? null,
    statusCode: o.statusCode ?? STATUS.success,
    subStatusCode: o.subStatusCode,
    statusMessage: o.statusMessage,
    includeAssertion: o.includeAssertion ?? true,
    nameIdXml: o.nameIdRaw ?? esc(nameId),
    nameIdFormat: o.nameIdFormat ?? d.nameIdFormat,
    authnContextClassRef: d.authnContextClassRef,
    attributes: o.attributes ?? d.attributes({ email, upn: nameId }),
  };
  let xml = preset === 'okta' ? renderOkta(p) : renderEntra(p);
  if (o.beforeSign) xml = o.beforeSign(xml);

  const sign = o.sign ?? d.sign;
  const algorithm = o.signatureAlgorithm ?? 'rsa-sha256';
  if (algorithm === 'dsa-sha256') registerDsaForSamlify();
  const idp = samlify.IdentityProvider({
    entityID: p.idpEntityId,
    privateKey: o.key,
    signingCert: o.cert,
    requestSignatureAlgorithm: SIG_ALGS[algorithm],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: 'https://idp.invalid/sso' }],
    singleLogoutService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: 'https://idp.invalid/slo' }],
    ...(o.encryptTo
      ? { isAssertionEncrypted: true, dataEncryptionAlgorithm: DATA_ENCRYPTION[o.dataEncryption ?? 'aes256-gcm'], keyEncryptionAlgorithm: RSA_OAEP }
      : {}),
  });
  const sp = samlify.ServiceProvider({
    entityID: spEntityId,
    assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: o.acsUrl }],
    wantAssertionsSigned: sign === 'assertion' || sign === 'both',
    wantMessageSigned: sign === 'response' || sign === 'both',
    ...(o.encryptTo ? { encryptCert: o.encryptTo } : {}),
  });
  if (sign !== 'none') {
    // encryptThenSign: assertion signature (inside the ciphertext), encryption, then the Response signature over the EncryptedAssertion.
    const res = await idp.createLoginResponse(sp, null as never, 'post', { email }, { customTagReplacement: () => ({ id: p.responseId, context: xml }), encryptThenSign: Boolean(o.encryptTo) });
    xml = Buffer.from(res.context, 'base64').toString('utf8');
  } else if (o.encryptTo) {
    xml = Buffer.from(await samlify.SamlLib.encryptAssertion(idp, sp, xml), 'base64').toString('utf8');
  }
  if (o.afterSign) xml = o.afterSign(xml);
  return { xml, base64: Buffer.from(xml, 'utf8').toString('base64'), responseId: p.responseId, assertionId: p.assertionId };
}

/**
 * Signs the assertion of a Response with xml-crypto directly and a per-instance DSA-SHA256
 * registration: nothing global is patched, so a test using it proves the app's own registration.
 */
export function signAssertionWithDsaDirectly(xml: string, key: string, cert: string): string {
  const target = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
  const exc = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const sig = new SignedXml({ privateKey: key, publicCert: cert, canonicalizationAlgorithm: exc, signatureAlgorithm: DSA_SHA256 });
  sig.SignatureAlgorithms[DSA_SHA256] = DsaSha256;
  sig.addReference({ xpath: target, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', exc], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

export interface ReceivedAuthnRequest {
  /** The AuthnRequest ID: what the IdP's answer carries as InResponseTo. */
  id: string;
  issuer: string;
  /** The AuthnRequest's AssertionConsumerServiceURL. */
  acsUrl: string | null;
  relayState: string | null;
  xml: string;
  /** The IdP endpoint the browser was sent to (without the SAML parameters). */
  ssoUrl: string;
}

/**
 * What an IdP does with GET {idpSsoUrl}?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…: samlify
 * inflates the request and verifies its signature over the query exactly as received (SAML
 * bindings §3.4.4.1) with the signing certificate of the SP metadata given. Throws when the
 * signature does not verify.
 */
export async function receiveAuthnRequest(location: string, spMetadataXml: string): Promise<ReceivedAuthnRequest> {
  const url = new URL(location);
  const raw = url.search.slice(1).split('&');
  const part = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
  const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].map(part).filter((p): p is string => p !== undefined).join('&');
  const query = Object.fromEntries(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature'].filter((k) => url.searchParams.has(k)).map((k) => [k, url.searchParams.get(k)!]));
  const sp = samlify.ServiceProvider({ metadata: spMetadataXml });
  const idp = samlify.IdentityProvider({
    entityID: 'https://idp.invalid/metadata',
    wantAuthnRequestsSigned: true,
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${url.origin}${url.pathname}` }],
  });
  const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString } as never);
  const request = (parsed.extract as { request?: { id?: string; assertionConsumerServiceUrl?: string } }).request ?? {};
  const issuer = (parsed.extract as { issuer?: string }).issuer ?? '';
  return {
    id: request.id ?? '',
    issuer,
    acsUrl: request.assertionConsumerServiceUrl ?? null,
    relayState: url.searchParams.get('RelayState'),
    xml: parsed.samlContent,
    ssoUrl: `${url.origin}${url.pathname}`,
  };
}

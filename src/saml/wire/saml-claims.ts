import type { SamlIdentity } from '../saml-identity.js';

/**
 * Attribute names that carry the user's email, compared case-insensitively and exactly: Entra's
 * (and ADFS's) claim URI, ADFS 1.x's, Okta's and OneLogin's plain names, the LDAP mail OID and
 * the PKCS #9 emailAddress OID. No suffix matching: any IdP-side attribute named "…/email" (a
 * custom, possibly user-editable claim) must not pick the account.
 */
export const EMAIL_CLAIMS: readonly string[] = [
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'http://schemas.xmlsoap.org/claims/emailaddress',
  'emailaddress',
  'email',
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'urn:oid:1.2.840.113549.1.9.1',
];

/** True for an attribute name in EMAIL_CLAIMS (case-insensitive, surrounding spaces ignored). */
export function isEmailClaim(name: string): boolean {
  return EMAIL_CLAIMS.includes(name.trim().toLowerCase());
}

/** node-saml's profile.attributes (string, array, or xml2js objects) as arrays of trimmed strings. */
export function normalizeAttributes(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const values = (Array.isArray(value) ? value : [value])
      .map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { _?: unknown })._ === 'string' ? (v as { _: string })._ : null))
      .filter((v): v is string => v !== null)
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length > 0) out[name] = values;
  }
  return out;
}

/** The email claims' values, Entra's claim first, in EMAIL_CLAIMS order. */
export function emailClaimValues(attributes: Record<string, string[]>): string[] {
  const names = Object.keys(attributes).filter(isEmailClaim);
  const rank = (n: string) => {
    const i = EMAIL_CLAIMS.indexOf(n.trim().toLowerCase());
    return i === -1 ? EMAIL_CLAIMS.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b));
  return names.flatMap((n) => attributes[n] ?? []);
}

/** Most lookups one assertion may cause (each is a database query): the NameID and a few emails. */
export const MAX_LOOKUP_KEYS = 4;

/**
 * The strings to look the user up by, in order: the NameID, then the email attributes.
 * Duplicates (case-insensitive) and values too long to be an email address are dropped; at most
 * MAX_LOOKUP_KEYS are kept, however many values a multi-valued email attribute carries.
 */
export function lookupKeys(identity: Pick<SamlIdentity, 'nameId' | 'attributes'>): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const candidate of [identity.nameId, ...emailClaimValues(identity.attributes)]) {
    if (keys.length === MAX_LOOKUP_KEYS) break;
    const key = candidate.trim();
    if (key === '' || key.length > 254 || seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    keys.push(key);
  }
  return keys;
}

import { MAX_SAML_RESPONSE_BYTES } from '../saml/saml-response-precheck.js';
import { SCIM_CONTENT_TYPE } from '../scim/wire/scim-schemas.js';

/**
 * What the HTTP layer enforces per route, decided once from the route's pattern when the route is
 * registered (never from the raw URL of a request: `/%61pi/…` is routed like `/api/…`).
 */
export interface RoutePolicy {
  /** Largest body read for this route (Fastify refuses more with 413 before parsing). */
  bodyLimit: number;
  /** Media types a write may carry; null: whatever the parsers know (the ACS form, SCIM's JSON). */
  accepts: readonly string[] | null;
  /** Refuse writes a browser sends from another site (Origin / Sec-Fetch-Site). */
  sameOriginWrites: boolean;
  /**
   * Credentials checked in onRequest, before a byte of the body is read, on routes whose body
   * limit would otherwise let an anonymous client make the service read and parse megabytes.
   */
  authenticateFirst: 'system-admin-session' | 'scim-token' | null;
  /**
   * The media type of the route's successful answers, set before the handler runs (a failure's
   * formatter sets its own); null: whatever the handler sends. SCIM's application/scim+json is set
   * here rather than by a Nest interceptor, whose rxjs pipeline cost more CPU per request than the
   * handler's own work on a userName lookup.
   */
  responseType: string | null;
}

/**
 * Login, the operator API and the admin JSON API: the largest honest body is a user with a
 * 200-character password and names (under 2 KiB, 5 KiB if every character is \u-escaped) or the
 * SAML settings with two URLs. 16 KiB is three times that and keeps what one anonymous
 * connection can make the service hold or validate small.
 */
export const API_BODY_LIMIT_BYTES = 16 * 1024;
/**
 * SCIM: a User is a few KiB; the large honest bodies are Group PATCHes from Entra and Okta
 * carrying member lists (about 60 bytes a member, so 1 MiB is ~15,000 members in one request;
 * Entra sends at most a few hundred per PATCH). The bearer token is checked before it is read.
 */
export const SCIM_BODY_LIMIT_BYTES = 1_048_576;
/** The ACS form: a SAMLResponse of at most 256 KiB (base64) plus RelayState and form encoding. */
export const ACS_BODY_LIMIT_BYTES = MAX_SAML_RESPONSE_BYTES + 16 * 1024;
/** Certificate uploads: 1 MiB of PEM or metadata can grow when escaped in JSON; the 1 MiB rule is checked after decoding. */
export const CERTIFICATE_BODY_LIMIT_BYTES = 3 * 1_048_576;

const JSON_ONLY = ['application/json'] as const;

/** The policy of a route, by its registered pattern (as Fastify's onRoute hook sees it). */
export function routePolicy(pattern: string): RoutePolicy {
  if (pattern === '/api/t/:tenant/settings/saml/certificate') {
    return { bodyLimit: CERTIFICATE_BODY_LIMIT_BYTES, accepts: [...JSON_ONLY, 'multipart/form-data'], sameOriginWrites: true, authenticateFirst: 'system-admin-session', responseType: null };
  }
  // The JSON API takes JSON only. A form or text body is what a foreign page's <form> can send
  // cross-site with the victim's browser: refusing it closes login CSRF and any write a CSRF-token
  // check might miss.
  if (pattern === '/api' || pattern.startsWith('/api/')) {
    return { bodyLimit: API_BODY_LIMIT_BYTES, accepts: JSON_ONLY, sameOriginWrites: true, authenticateFirst: null, responseType: null };
  }
  if (pattern.startsWith('/scim/v2/:tenant')) {
    return { bodyLimit: SCIM_BODY_LIMIT_BYTES, accepts: null, sameOriginWrites: false, authenticateFirst: 'scim-token', responseType: SCIM_CONTENT_TYPE };
  }
  // The IdP's form POST is cross-site by nature; the signed response is the credential.
  if (pattern === '/saml/:tenant/acs') {
    return { bodyLimit: ACS_BODY_LIMIT_BYTES, accepts: null, sameOriginWrites: false, authenticateFirst: null, responseType: null };
  }
  return { bodyLimit: API_BODY_LIMIT_BYTES, accepts: null, sameOriginWrites: false, authenticateFirst: null, responseType: null };
}

import { ApiException } from '../common/http/api-exception.js';
import { nonPublicAddressKind } from './private-address.js';

/** Longest URL an admin may enter (what the column allows). */
export const MAX_ADMIN_URL_LENGTH = 2048;

/** A URL field of PUT /settings/saml refused: 400 `invalid_url` naming the field. */
function invalidUrl(field: string, problem: string): ApiException {
  return new ApiException(400, 'invalid_url', `${field} ${problem}`, { field });
}

export interface AdminUrlRules {
  /** NODE_ENV=production: https only. */
  production: boolean;
  /** Refuse an IP literal that is not a public address (SSRF; hostnames are checked when connecting). */
  refuseNonPublicLiteral: boolean;
}

/**
 * An http(s) URL entered by an admin (CONTRACT section 2: `invalid_url` naming the field; http(s)
 * only, https only in production): null clears, anything else must parse as an absolute URL
 * without credentials. Returns the normalised URL.
 */
export function parseAdminUrl(field: string, value: unknown, rules: AdminUrlRules): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidUrl(field, 'must be an http(s) URL, or null to clear it');
  const text = value.trim();
  if (text.length > MAX_ADMIN_URL_LENGTH) throw invalidUrl(field, `is ${text.length} characters long (at most ${MAX_ADMIN_URL_LENGTH})`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl(field, 'is not an absolute URL (https://…)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidUrl(field, `must be an http(s) URL, not ${url.protocol.replace(/:$/, '')}`);
  if (rules.production && url.protocol !== 'https:') throw invalidUrl(field, 'must be an https URL in production');
  if (url.username || url.password) throw invalidUrl(field, 'must not contain a user name or password');
  if (rules.refuseNonPublicLiteral) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const kind = /^[\d.]+$/.test(host) || host.includes(':') ? nonPublicAddressKind(host) : null;
    if (kind) throw invalidUrl(field, `points to ${host}, a ${kind} address, which this server does not fetch from`);
  }
  if (url.href.length > MAX_ADMIN_URL_LENGTH) throw invalidUrl(field, `is over ${MAX_ADMIN_URL_LENGTH} characters long`);
  return url.href;
}

/**
 * The HTTP-Redirect SSO URL named by IdP metadata (uploaded or fetched from the Metadata URL), when
 * it passes the admin URL rule; otherwise why it was skipped (the entered URL then stays).
 */
export function metadataSsoUrl(value: string | null | undefined, production: boolean): { url: string | null; skipped: string | null } {
  if (!value) return { url: null, skipped: null };
  try {
    return { url: parseAdminUrl('idpSsoUrl', value, { production, refuseNonPublicLiteral: false }), skipped: null };
  } catch (err) {
    return { url: null, skipped: `${value.slice(0, 300)}: ${(err as Error).message}` };
  }
}

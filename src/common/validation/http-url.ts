import { ApiException } from '../http/api-exception.js';

/** Longest URL taken in a setting (IdP endpoints are well under 300 characters). */
export const MAX_SETTING_URL_LENGTH = 2048;

/** Why `value` is not an acceptable http(s) URL for a setting, or null when it is. */
export function httpUrlProblem(value: string, httpsOnly: boolean): string | null {
  if (value.length > MAX_SETTING_URL_LENGTH) return `is ${value.length} characters long (at most ${MAX_SETTING_URL_LENGTH})`;
  // Controls and spaces would be dropped or re-encoded by browsers: the stored URL would not be the one used.
  if ([...value].some((c) => c <= ' ' || c === '\u007f')) return 'contains spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `uses ${url.protocol.replace(/:$/, '')}; only http and https are allowed`;
  if (httpsOnly && url.protocol !== 'https:') return 'must use https in production';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not carry a #fragment';
  return null;
}

/**
 * An http(s) URL setting (https only in production): the URL as given, or 400 `invalid_url`
 * naming the field and the problem.
 */
export function requireHttpUrl(value: string, field: string, httpsOnly: boolean): string {
  const problem = httpUrlProblem(value, httpsOnly);
  if (problem) throw new ApiException(400, 'invalid_url', `${field} ${problem}`, { field });
  return value;
}

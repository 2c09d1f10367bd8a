function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const PROBE_ORIGIN = 'http://latchkey.invalid';

/**
 * The RelayState to redirect to after sign-in, when it is a same-origin path: it must start with
 * a single "/" (not "//" or "/\"), hold no backslash or control character (browsers drop tabs and
 * newlines, turning "/\t/evil" into "//evil"), and resolve to this origin. Anything else gives
 * null and the caller uses the default page: never an open redirect.
 */
export function safeRelayPath(relayState: unknown): string | null {
  if (typeof relayState !== 'string') return null;
  const value = relayState;
  if (value.length === 0 || value.length > 2048) return null;
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  if (value.includes('\\') || hasControlCharacter(value)) return null;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

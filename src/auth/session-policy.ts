/** Name of the session cookie (HttpOnly, SameSite=Lax, Secure on https). */
export const SESSION_COOKIE = 'latchkey_session';
/** A session ends 12 hours after sign-in, whatever happens. */
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;
/** ...or after 2 hours without a request. */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;
/** last_seen_at is written at most this often per session, not on every request. */
export const SESSION_TOUCH_SECONDS = 60;

import { lowerAscii, lowerAsciiSql } from '../common/validation/ascii-case.js';

/**
 * The one key a user's email address is found, kept unique and throttled by.
 *
 * Only the 26 ASCII capitals A–Z are folded (to a–z); every other code point stays as it is.
 * PostgreSQL's lower() and JavaScript's toLowerCase() fold by Unicode case rules (and lower() by
 * the database's locale): they turn `İ` (U+0130) into `i` and the Kelvin sign (U+212A) into `k`,
 * so `admİn@…` was found as `admin@…`. An ASCII-only fold can never make two different
 * addresses equal beyond the case of a Latin letter, whatever the locale.
 *
 * No Unicode normalisation either, deliberately: NFKC would map the Kelvin sign to `K`, and even
 * NFC does (U+212A, U+212B and U+037E have singleton canonical decompositions to `K`, `Å` and `;`).
 * Every address ever stored passed the ASCII-only email check (common/validation/email.ts), so
 * normalising a non-ASCII lookup value could only ever turn it INTO some ASCII address: exactly
 * the lookalike match this key exists to prevent. A non-ASCII value simply matches nobody.
 */
export function emailKey(email: string): string {
  return lowerAscii(email);
}

/**
 * The same key in SQL, over a column or expression (fixed text, never a value): translate() maps
 * code point for code point and does not depend on the locale. The unique index on
 * (tenant_id, emailKeySql('email')) serves every lookup written with it (migration
 * 1795510000000-email-key); a test compares it with emailKey() over every code point.
 */
export function emailKeySql(expression: string): string {
  return lowerAsciiSql(expression);
}

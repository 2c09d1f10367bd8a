/**
 * Lowers the 26 ASCII capitals A–Z and nothing else. For identifiers compared without regard to
 * case (email keys, tenant slugs): Unicode case folding (toLowerCase, PostgreSQL lower()) also
 * turns lookalikes such as the Kelvin sign (U+212A) and `İ` (U+0130) into ASCII letters, so a
 * lookalike would name someone else.
 */
export function lowerAscii(value: string): string {
  return value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * lowerAscii in SQL, over a column or expression (fixed text, never a value): translate() maps code
 * point for code point and does not depend on the database's locale. The unique indexes on email
 * keys and group display names are written with exactly this text, so lookups built with it use them.
 */
export function lowerAsciiSql(expression: string): string {
  return `translate(${expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

import { ApiException } from '../common/http/api-exception.js';

/** The product licenses a System Admin can assign (never SCIM). Order is display order. */
export const LICENSES = [
  { key: 'crm', name: 'CRM' },
  { key: 'marketing', name: 'Marketing' },
  { key: 'service', name: 'Service' },
] as const;

export type LicenseKey = (typeof LICENSES)[number]['key'];
export const LICENSE_KEYS: readonly string[] = LICENSES.map((l) => l.key);

export function isLicenseKey(value: unknown): value is LicenseKey {
  return typeof value === 'string' && LICENSE_KEYS.includes(value);
}

/** Canonical order, no duplicates. */
export function normaliseLicenses(keys: readonly LicenseKey[]): LicenseKey[] {
  return LICENSES.map((l) => l.key).filter((k) => keys.includes(k));
}

/**
 * License keys an admin sent (for a user or a group): their canonical form, or 400
 * `unknown_license` naming every key the catalogue lacks.
 */
export function knownLicensesOrThrow(keys: readonly string[]): LicenseKey[] {
  const unknown = keys.filter((k) => !isLicenseKey(k));
  if (unknown.length > 0) {
    throw new ApiException(400, 'unknown_license', `Unknown license ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${LICENSE_KEYS.join(', ')}`, {
      field: 'licenses',
    });
  }
  return normaliseLicenses(keys.filter(isLicenseKey));
}

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

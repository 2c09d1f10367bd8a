import { describe, expect, it } from '@jest/globals';
import { isLicenseKey, normaliseLicenses } from './licenses.js';

describe('licenses', () => {
  it('knows exactly crm, marketing and service', () => {
    expect(['crm', 'marketing', 'service'].every(isLicenseKey)).toBe(true);
    expect(isLicenseKey('CRM')).toBe(false);
    expect(isLicenseKey('erp')).toBe(false);
  });
  it('normalises to catalogue order without duplicates', () => {
    expect(normaliseLicenses(['service', 'crm', 'service'])).toEqual(['crm', 'service']);
  });
});

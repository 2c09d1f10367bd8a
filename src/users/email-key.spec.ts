import { describe, expect, it } from '@jest/globals';
import { emailKey } from './email-key.js';

describe('emailKey', () => {
  it('folds ASCII capitals, so an address in any case has one key', () => {
    expect(emailKey('Ada.Admin@ACME.test')).toBe('ada.admin@acme.test');
    expect(emailKey('ada.admin@acme.test')).toBe('ada.admin@acme.test');
  });

  it('leaves lookalike letters as they are: İ (U+0130), the Kelvin sign (U+212A), dotless ı, long s', () => {
    for (const lookalike of ['adm\u0130n@acme.test', 'admin@\u212Acme.test', 'adm\u0131n@acme.test', 'admin@acme.te\u017Ft']) {
      expect(emailKey(lookalike)).not.toBe('admin@acme.test');
      expect(emailKey(lookalike)).not.toBe(emailKey('admin@acme.test'));
    }
    expect(emailKey('ADM\u0130N@\u212ACME.TEST')).toBe('adm\u0130n@\u212Acme.test');
  });

  it('changes no code point but A-Z, and keeps the length (every code point of Unicode)', () => {
    const changed: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const k = emailKey(c);
      if (k !== c) {
        changed.push(cp);
        expect(k).toBe(String.fromCodePoint(cp + 32));
      }
    }
    expect(changed).toEqual(Array.from({ length: 26 }, (_, i) => 0x41 + i));
  });

  it('applies no Unicode normalisation: NFC alone would turn the Kelvin sign into K', () => {
    expect('\u212A'.normalize('NFC')).toBe('K');
    expect(emailKey('\u212A')).toBe('\u212A');
    expect(emailKey('e\u0301@x.io')).not.toBe(emailKey('\u00E9@x.io'));
  });
});

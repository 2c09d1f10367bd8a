import { describe, expect, it } from '@jest/globals';
import { KeyRing } from './key-ring.js';
import { constantTimeEquals } from './tokens.js';

describe('SecretBox (through the KeyRing)', () => {
  const box = new KeyRing('a'.repeat(40)).secretBox('scim-token');

  it('round-trips and never produces the same ciphertext twice', () => {
    const a = box.seal('the token');
    const b = box.seal('the token');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain('the token');
    expect(box.open(a)).toBe('the token');
  });

  it('refuses a tampered value and another secret', () => {
    const sealed = box.seal('the token');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'))).toThrow();
    expect(() => new KeyRing('b'.repeat(40)).secretBox('scim-token').open(sealed)).toThrow();
    expect(() => box.open('garbage')).toThrow('unrecognised sealed value');
  });
});

describe('KeyRing', () => {
  const ring = new KeyRing('a'.repeat(40));

  it('derives the keys earlier releases derived, so stored tokens and issued cursors keep working', () => {
    // Sealed and derived by the code before the KeyRing (HKDF-SHA256, salt "latchkey", info = purpose).
    expect(ring.secretBox('scim-token').open('v1.BwcHBwcHBwcHBwcH.SxX_aj6XTqQfElaVYZdRiw.TB4MO3-XztFY')).toBe('the token');
    expect(ring.key('csrf').toString('hex')).toBe('5a96cbfe61ce27f1d342248c20b86bb96436c9cae1ecbb1e2abfc9a102bba148');
    expect(ring.key('scim-cursor').toString('hex')).toBe('e6176d33c0fbe3050d2d5a3ea9e3a79fe45154a3bd683ee0dc9cbb851cf8f36d');
  });

  it('gives every purpose its own key, derived once', () => {
    expect(ring.key('csrf').equals(ring.key('scim-cursor'))).toBe(false);
    expect(ring.key('csrf')).toBe(ring.key('csrf'));
    expect(ring.secretBox('scim-token')).toBe(ring.secretBox('scim-token'));
  });
});

describe('constantTimeEquals', () => {
  it('compares values of any length without throwing', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abd')).toBe(false);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('', 'x')).toBe(false);
  });
});

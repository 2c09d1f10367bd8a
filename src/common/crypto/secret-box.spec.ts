import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';
import { constantTimeEquals } from './tokens.js';

describe('SecretBox', () => {
  const box = new SecretBox('a'.repeat(40), 'scim-token');

  it('round-trips and never produces the same ciphertext twice', () => {
    const a = box.seal('the token');
    const b = box.seal('the token');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain('the token');
    expect(box.open(a)).toBe('the token');
  });

  it('refuses a tampered value, another purpose and another secret', () => {
    const sealed = box.seal('the token');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox('a'.repeat(40), 'other').open(sealed)).toThrow();
    expect(() => new SecretBox('b'.repeat(40), 'scim-token').open(sealed)).toThrow();
    expect(() => box.open('garbage')).toThrow('unrecognised sealed value');
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

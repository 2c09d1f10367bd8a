import { describe, expect, it } from '@jest/globals';
import { isEmailAddress } from './email.js';

describe('isEmailAddress', () => {
  it.each(['ada@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'UPPER@EXAMPLE.COM'])('accepts %s', (value) => {
    expect(isEmailAddress(value)).toBe(true);
  });
  it.each(['', 'plain', '@example.com', 'a@', 'a@b', 'a b@example.com', 'a@example..com', '.a@example.com', 'a.@example.com', `${'a'.repeat(250)}@x.io`, 42, null])(
    'refuses %p',
    (value) => {
      expect(isEmailAddress(value)).toBe(false);
    },
  );
});

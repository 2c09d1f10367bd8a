import { describe, expect, it } from '@jest/globals';
import { safeRelayPath } from './relay-state.js';

describe('safeRelayPath', () => {
  it.each([
    ['/t/acme/app', '/t/acme/app'],
    ['/t/acme/settings/users?tab=list#top', '/t/acme/settings/users?tab=list#top'],
    ['/t/acme/../acme/app', '/t/acme/app'],
    ['/javascript:alert(1)', '/javascript:alert(1)'],
  ])('keeps the same-origin path %j', (input, expected) => {
    expect(safeRelayPath(input)).toBe(expected);
  });

  it.each([
    '//evil.test',
    '///evil.test',
    'https://evil.test',
    'http:/evil.test',
    '/\\evil.test',
    '\\\\evil.test',
    '/t/acme\\..\\..\\evil',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/\t/evil.test',
    '/\n/evil.test',
    '/\u0000',
    ' //evil.test',
    'evil.test',
    '',
    'x'.repeat(3000),
  ])('refuses %j', (input) => {
    expect(safeRelayPath(input)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(safeRelayPath(undefined)).toBeNull();
    expect(safeRelayPath(['/a'])).toBeNull();
    expect(safeRelayPath({ toString: () => '/a' })).toBeNull();
  });
});

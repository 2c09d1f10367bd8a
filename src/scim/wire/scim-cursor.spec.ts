import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { KeyRing } from '../../common/crypto/key-ring.js';
import { ScimCursorCodec, type CursorScope } from './scim-cursor.js';
import { ScimException } from './scim-exception.js';

const KEY = new KeyRing('test-app-secret-0123456789-abcdefghijklmnop').key('scim-cursor');
const TENANT = '3f1c9a52-7d4e-4b8a-9c11-2a6e5f0b7d33';
const OTHER_TENANT = '8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d';
const USER = '0b8e7c1a-5d2f-4e6a-9b3c-7f1e2d4a6c80';
const hash = (filter: string) => createHash('sha256').update(filter).digest();
const SCOPE: CursorScope = { tenantId: TENANT, queryHash: hash('null') };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function failure(run: () => unknown): ScimException {
  try {
    run();
  } catch (err) {
    if (err instanceof ScimException) return err;
    throw err;
  }
  throw new Error('expected a ScimException');
}

describe('ScimCursorCodec', () => {
  const codec = (now = T0, timeout = 3600, key = KEY) => new ScimCursorCodec(key, timeout, () => now);

  it('round-trips direction and user id, as an opaque string of RFC 3986 unreserved characters', () => {
    const next = codec().encode(SCOPE, { direction: 'next', userId: USER });
    const previous = codec().encode(SCOPE, { direction: 'previous', userId: USER });
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(next).not.toContain(USER.replace(/-/g, '').slice(0, 8));
    expect(next).not.toBe(previous);
    expect(codec(T0 + 1000).decode(SCOPE, next)).toEqual({ direction: 'next', userId: USER });
    expect(codec(T0 + 1000).decode(SCOPE, previous)).toEqual({ direction: 'previous', userId: USER });
  });

  it('accepts a cursor until cursorTimeout has passed, then answers 400 expiredCursor', () => {
    const cursor = codec().encode(SCOPE, { direction: 'next', userId: USER });
    expect(codec(T0 + 3600 * 1000).decode(SCOPE, cursor)).toEqual({ direction: 'next', userId: USER });
    const err = failure(() => codec(T0 + 3601 * 1000).decode(SCOPE, cursor));
    expect(err.getStatus()).toBe(400);
    expect(err.scimType).toBe('expiredCursor');
    expect(err.detail).toMatch(/expired/);
  });

  it('honours a configured timeout', () => {
    const cursor = codec(T0, 5).encode(SCOPE, { direction: 'next', userId: USER });
    expect(codec(T0 + 5000, 5).decode(SCOPE, cursor).userId).toBe(USER);
    expect(failure(() => codec(T0 + 6000, 5).decode(SCOPE, cursor)).scimType).toBe('expiredCursor');
  });

  it('answers 400 invalidCursor for every altered byte of a cursor', () => {
    const cursor = codec().encode(SCOPE, { direction: 'next', userId: USER });
    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = altered[i]! ^ 0x01;
      const err = failure(() => codec().decode(SCOPE, altered.toString('base64url')));
      expect(err.getStatus()).toBe(400);
      expect(err.scimType).toBe('invalidCursor');
    }
  });

  it('answers 400 invalidCursor for a cursor of another tenant, another filter or another key', () => {
    const cursor = codec().encode(SCOPE, { direction: 'next', userId: USER });
    expect(failure(() => codec().decode({ ...SCOPE, tenantId: OTHER_TENANT }, cursor)).scimType).toBe('invalidCursor');
    expect(failure(() => codec().decode({ ...SCOPE, queryHash: hash('{"kind":"bool"}') }, cursor)).scimType).toBe('invalidCursor');
    const otherKey = new KeyRing('another-app-secret-0123456789-abcdefghij').key('scim-cursor');
    expect(failure(() => codec(T0, 3600, otherKey).decode(SCOPE, cursor)).scimType).toBe('invalidCursor');
  });

  it('answers 400 invalidCursor for junk: wrong length, non-base64url characters, padding, a truncated cursor', () => {
    const cursor = codec().encode(SCOPE, { direction: 'next', userId: USER });
    for (const junk of ['x', 'not a cursor', `${cursor}=`, cursor.slice(0, -2), `${cursor}AA`, cursor.replace(/.$/, '+'), '%00', 'A'.repeat(5000)]) {
      const err = failure(() => codec().decode(SCOPE, junk));
      expect(err.getStatus()).toBe(400);
      expect(err.scimType).toBe('invalidCursor');
    }
  });

  it('checks the MAC before the expiry: a forged cursor is invalid, never merely expired', () => {
    const cursor = codec().encode(SCOPE, { direction: 'next', userId: USER });
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    expect(failure(() => codec(T0 + 10 * 3600 * 1000).decode(SCOPE, bytes.toString('base64url'))).scimType).toBe('invalidCursor');
  });
});

import { describe, expect, it } from '@jest/globals';
import { SCIM_GATE_CACHE_SIZE, ScimGateCache } from './scim-gate-cache.js';
import type { ScimGateRow } from './scim-gate.repository.js';

const row = (n = 1): ScimGateRow => ({ scimEnabled: true, scimTokenHash: Buffer.from([n]), samlEnabled: true, samlCertificateCount: 1 });

describe('ScimGateCache', () => {
  it('stores nothing and serves nothing until its listener is up', () => {
    const cache = new ScimGateCache();
    cache.fill('t1', row(), cache.ticket());
    expect(cache.get('t1')).toBeUndefined();
    cache.markUp();
    cache.fill('t1', row(), cache.ticket());
    expect(cache.get('t1')).toEqual(row());
  });

  it('forgets everything when the listener goes down, and starts empty when it is up again', () => {
    const cache = new ScimGateCache();
    cache.markUp();
    cache.fill('t1', row(), cache.ticket());
    cache.markDown();
    expect({ up: cache.up, size: cache.size, t1: cache.get('t1') }).toEqual({ up: false, size: 0, t1: undefined });
    cache.fill('t1', row(), cache.ticket());
    expect(cache.get('t1')).toBeUndefined();
    cache.markUp();
    expect(cache.size).toBe(0);
  });

  it('drops an invalidated tenant and no other', () => {
    const cache = new ScimGateCache();
    cache.markUp();
    cache.fill('t1', row(1), cache.ticket());
    cache.fill('t2', row(2), cache.ticket());
    cache.invalidate('t1');
    expect([cache.get('t1'), cache.get('t2')]).toEqual([undefined, row(2)]);
  });

  it('refuses a fill whose read began before an invalidation, a down or an up (the fill race)', () => {
    const cache = new ScimGateCache();
    cache.markUp();
    const beforeNotice = cache.ticket();
    cache.invalidate('t1');
    cache.fill('t1', row(1), beforeNotice);
    expect(cache.get('t1')).toBeUndefined();

    const beforeDown = cache.ticket();
    cache.markDown();
    cache.markUp();
    cache.fill('t1', row(1), beforeDown);
    expect(cache.get('t1')).toBeUndefined();

    cache.fill('t1', row(2), cache.ticket());
    expect(cache.get('t1')).toEqual(row(2));
  });

  it('keeps at most SCIM_GATE_CACHE_SIZE tenants, dropping the least recently used', () => {
    const cache = new ScimGateCache();
    cache.markUp();
    for (let i = 0; i < SCIM_GATE_CACHE_SIZE; i++) cache.fill(`t${i}`, row(), cache.ticket());
    cache.get('t0'); // now the most recent
    cache.fill('new', row(), cache.ticket());
    expect({ size: cache.size, t0: cache.get('t0') !== undefined, t1: cache.get('t1') !== undefined, new: cache.get('new') !== undefined }).toEqual({
      size: SCIM_GATE_CACHE_SIZE,
      t0: true,
      t1: false,
      new: true,
    });
  });

  it('hands out rows that cannot be changed by a caller', () => {
    const cache = new ScimGateCache();
    cache.markUp();
    cache.fill('t1', row(), cache.ticket());
    expect(Object.isFrozen(cache.get('t1'))).toBe(true);
  });
});

import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/app-config.js';
import { ScimRateLimiter } from './scim-rate-limiter.js';

const limiter = (rate: number, burst: number) => new ScimRateLimiter(loadConfig({ SCIM_RATE_LIMIT_PER_SECOND: String(rate), SCIM_RATE_LIMIT_BURST: String(burst) }));

describe('ScimRateLimiter', () => {
  it('admits a burst, then refills at the rate, per tenant', () => {
    const l = limiter(10, 3);
    const t0 = 1_000_000;
    expect([l.take('a', t0), l.take('a', t0), l.take('a', t0)].every((d) => d.allowed)).toBe(true);
    expect(l.take('a', t0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(l.take('b', t0).allowed).toBe(true);
    expect(l.take('a', t0 + 100).allowed).toBe(true); // 0.1 s at 10/s = one token
    expect(l.take('a', t0 + 100).allowed).toBe(false);
  });

  it('says how long to wait, in whole seconds, at slow rates', () => {
    const l = limiter(1, 1);
    expect(l.take('a', 0).allowed).toBe(true);
    expect(l.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(l.take('a', 500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(l.take('a', 1000).allowed).toBe(true);
  });

  it('is off at rate 0', () => {
    const l = limiter(0, 1);
    for (let i = 0; i < 1000; i++) expect(l.take('a', 0).allowed).toBe(true);
  });
});

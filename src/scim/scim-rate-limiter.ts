import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket per tenant, in this process: SCIM_RATE_LIMIT_BURST requests at once, refilled at
 * SCIM_RATE_LIMIT_PER_SECOND. The effective limit is per instance (N instances admit N times the
 * rate); in exchange the hot path costs no database write and no shared state.
 */
@Injectable()
export class ScimRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(config: AppConfig) {
    this.rate = config.SCIM_RATE_LIMIT_PER_SECOND;
    this.burst = Math.max(1, config.SCIM_RATE_LIMIT_BURST);
  }

  take(tenantId: string, now = Date.now()): RateDecision {
    if (this.rate === 0) return { allowed: true };
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: this.burst, refilledAt: now };
      this.buckets.set(tenantId, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.rate);
      bucket.refilledAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)) };
  }
}

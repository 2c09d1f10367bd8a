import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/http/api-exception.js';
import { MetricsService, type RateLimiterName } from '../metrics/metrics.service.js';
import { emailKey } from '../users/email-key.js';
import { LoginThrottleRepository, type ThrottleState } from './login-throttle.repository.js';

/** Failed sign-ins allowed per account in one window before 429. */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failed sign-ins allowed per client IP (per tenant) in one window before 429. */
export const IP_FAILURE_LIMIT = 30;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;

function tooManyAttempts(blocked: ThrottleState): ApiException {
  const retryAfter = Math.max(1, Math.ceil((blocked.windowStartedAt.getTime() + THROTTLE_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
  return new ApiException(
    429,
    'too_many_attempts',
    `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
    { retryAfter },
    { 'retry-after': String(retryAfter) },
  );
}

/** How admitFailureCounted let an attempt in: with its attempt counted in advance, or not (the address had no failure). */
export type ThrottleAdmission = 'reserved' | 'unreserved';

/** A reserved attempt: settle it with `succeeded` once the password proved right. */
export interface ThrottleTicket {
  tenantId: string;
  accountKey: string;
  ipKey: string;
}

/**
 * Slows password guessing per account and per client address, across all instances. Every
 * attempt is counted BEFORE the password is checked, atomically, so parallel attempts cannot
 * all slip in under the limit while the first ones are still being verified; a right password
 * gives its attempt back.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly repository: LoginThrottleRepository,
    private readonly metrics: MetricsService,
  ) {}

  /** Counters of ended windows are dead weight (every email ever tried would stay a row): housekeeping removes them. */
  purgeExpired(): Promise<number> {
    return this.repository.purgeExpired(THROTTLE_WINDOW_SECONDS);
  }

  /**
   * Counts the attempt; throws 429 `too_many_attempts` with Retry-After when over a limit. The
   * account is keyed by the very key sign-in finds the user by (emailKey), so every spelling that
   * reaches an account shares its counter and no spelling that reaches another one does.
   */
  async reserve(tenantId: string, email: string, ip: string): Promise<ThrottleTicket> {
    const ticket = { tenantId, accountKey: `account:${emailKey(email)}`, ipKey: `ip:${ip}` };
    // The address first, and the account only while the address is under its limit: each new
    // email tried is a new row, so a blocked address must not go on adding them.
    await this.reserveKey(tenantId, ticket.ipKey, IP_FAILURE_LIMIT, 'login');
    await this.reserveKey(tenantId, ticket.accountKey, ACCOUNT_FAILURE_LIMIT, 'login');
    return ticket;
  }

  /**
   * Counts an attempt against one key before it is checked (`reserve` per key; the SAML ACS's
   * `saml-ip:<address>` once that address has a failure, see admitFailureCounted); throws 429 with
   * Retry-After once `key` has more than `limit` in the window (counted in the metrics as a
   * refusal by `limiter`).
   */
  async reserveKey(tenantId: string, key: string, limit: number, limiter: RateLimiterName): Promise<void> {
    const [state] = await this.repository.increment(tenantId, [key], THROTTLE_WINDOW_SECONDS);
    if (state && state.failures > limit) {
      this.metrics.rateLimited(limiter);
      throw tooManyAttempts(state);
    }
  }

  /**
   * Admits an attempt on a counter of FAILURES (the SAML ACS's per address): refused with 429 once
   * the window holds `limit` of them. Settle the answer with `settle`.
   *
   * While the address has no failure in the window, nothing is written before the attempt: a
   * successful sign-in then leaves the counter untouched, and a failure is counted when it
   * happens. Hundreds of people signing in at 9:00 from one office's address never queue on that
   * address's row, and never count against it while in flight (a reservation per attempt made a
   * burst of more than `limit` simultaneous good sign-ins look like `limit` failures). Once the
   * window holds a failure, attempts are reserved before they are checked, as `reserveKey` does,
   * so parallel posts cannot slip under the limit; a success gives its reservation back. The
   * price: the very first burst of failures from a clean address is counted as it ends, so it can
   * pass the limit by the number of its posts already in flight, once per window.
   */
  async admitFailureCounted(tenantId: string, key: string, limit: number, limiter: RateLimiterName): Promise<ThrottleAdmission> {
    const state = await this.repository.current(tenantId, key, THROTTLE_WINDOW_SECONDS);
    if (state && state.failures >= limit) {
      this.metrics.rateLimited(limiter);
      throw tooManyAttempts(state);
    }
    if (!state) return 'unreserved';
    await this.reserveKey(tenantId, key, limit, limiter);
    return 'reserved';
  }

  /** Settles an admitted attempt: a reserved success gives its attempt back, an unreserved failure is counted now. */
  async settle(tenantId: string, key: string, admission: ThrottleAdmission, succeeded: boolean): Promise<void> {
    if (succeeded && admission === 'reserved') await this.repository.decrement(tenantId, key);
    if (!succeeded && admission === 'unreserved') await this.repository.increment(tenantId, [key], THROTTLE_WINDOW_SECONDS);
  }

  /** The password was right: the account starts afresh and the address gets its attempt back. */
  async succeeded(ticket: ThrottleTicket): Promise<void> {
    await this.repository.clear(ticket.tenantId, ticket.accountKey);
    await this.repository.decrement(ticket.tenantId, ticket.ipKey);
  }
}

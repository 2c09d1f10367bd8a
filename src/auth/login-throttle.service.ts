import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/http/api-exception.js';
import { LoginThrottleRepository } from './login-throttle.repository.js';

/** Failed sign-ins allowed per account in one window before 429. */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failed sign-ins allowed per client IP (per tenant) in one window before 429. */
export const IP_FAILURE_LIMIT = 30;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;

/** Slows password guessing per account and per client address, across all instances. */
@Injectable()
export class LoginThrottleService {
  constructor(private readonly repository: LoginThrottleRepository) {}

  private keys(email: string, ip: string): { account: string; ip: string } {
    return { account: `account:${email.trim().toLowerCase()}`, ip: `ip:${ip}` };
  }

  /** Throws 429 `too_many_attempts` with Retry-After while either counter is over its limit. */
  async assertAllowed(tenantId: string, email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    const states = await this.repository.current(tenantId, [keys.account, keys.ip], THROTTLE_WINDOW_SECONDS);
    const blocked = states.find((s) => s.failures >= (s.key === keys.account ? ACCOUNT_FAILURE_LIMIT : IP_FAILURE_LIMIT));
    if (!blocked) return;
    const retryAfter = Math.max(1, Math.ceil((blocked.windowStartedAt.getTime() + THROTTLE_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
    throw new ApiException(
      429,
      'too_many_attempts',
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
      { retryAfter },
      { 'retry-after': String(retryAfter) },
    );
  }

  recordFailure(tenantId: string, email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    return this.repository.recordFailure(tenantId, [keys.account, keys.ip], THROTTLE_WINDOW_SECONDS);
  }

  /** A successful sign-in clears the account's counter (not the address's). */
  recordSuccess(tenantId: string, email: string): Promise<void> {
    return this.repository.clear(tenantId, this.keys(email, '').account);
  }
}

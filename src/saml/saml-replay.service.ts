import { Injectable } from '@nestjs/common';
import { SamlAuthnRequestRepository } from './saml-authn-request.repository.js';
import { SamlReplayRepository } from './saml-replay.repository.js';

/**
 * One use per assertion ID and tenant, across every instance (PostgreSQL decides). An ID is kept
 * until the validator's time rules would refuse its assertion anyway (SamlIdentity
 * acceptableUntil: the earlier of its NotOnOrAfter and IssueInstant + the maximum age, plus the
 * clock skew), so housekeeping's periodic purge keeps the table small and nothing purged can be
 * replayed.
 */
@Injectable()
export class SamlReplayService {
  constructor(
    private readonly repository: SamlReplayRepository,
    private readonly authnRequests: SamlAuthnRequestRepository,
  ) {}

  /** True the first time this assertion is seen for the tenant, false on a replay. */
  claim(tenantId: string, assertionId: string, acceptableUntil: Date, now: number = Date.now()): Promise<boolean> {
    const keepUntil = new Date(Math.max(acceptableUntil.getTime(), now) + 1000);
    return this.repository.claim(tenantId, assertionId, keepUntil);
  }

  /** Removes the IDs whose assertions the time checks refuse anyway; returns how many. */
  purgeExpired(): Promise<number> {
    return this.repository.purgeExpired();
  }

  /** Removes the AuthnRequests past their 5 minutes (answered or not); returns how many. */
  purgeExpiredAuthnRequests(): Promise<number> {
    return this.authnRequests.purgeExpired();
  }
}

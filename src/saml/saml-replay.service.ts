import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '../config/config.module.js';
import { SamlReplayRepository } from './saml-replay.repository.js';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * One use per assertion ID and tenant, across every instance (PostgreSQL decides). An ID is kept
 * until the validator's time rules would refuse its assertion anyway (SamlIdentity
 * acceptableUntil: the later of its NotOnOrAfter and IssueInstant + the maximum age, plus the
 * clock skew), so a periodic purge keeps the table small and nothing purged can be replayed.
 */
@Injectable()
export class SamlReplayService implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: SamlReplayRepository,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** True the first time this assertion is seen for the tenant, false on a replay. */
  claim(tenantId: string, assertionId: string, acceptableUntil: Date, now: number = Date.now()): Promise<boolean> {
    const keepUntil = new Date(Math.max(acceptableUntil.getTime(), now) + 1000);
    return this.repository.claim(tenantId, assertionId, keepUntil);
  }

  async purge(): Promise<void> {
    try {
      const removed = await this.repository.purgeExpired();
      if (removed > 0) this.logger.debug({ removed }, 'purged expired SAML assertion IDs');
    } catch (err) {
      this.logger.warn({ err }, 'could not purge expired SAML assertion IDs');
    }
  }
}

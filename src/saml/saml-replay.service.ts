import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { SamlReplayRepository } from './saml-replay.repository.js';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * One use per assertion ID and tenant, across every instance (PostgreSQL decides). An ID is kept
 * until its assertion's NotOnOrAfter plus the clock skew: after that the time checks refuse the
 * assertion anyway, so a periodic purge keeps the table small.
 */
@Injectable()
export class SamlReplayService implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly skewMs: number;

  constructor(
    private readonly repository: SamlReplayRepository,
    config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.skewMs = config.SAML_CLOCK_SKEW_SECONDS * 1000;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** True the first time this assertion is seen for the tenant, false on a replay. */
  claim(tenantId: string, assertionId: string, notOnOrAfter: Date, now: number = Date.now()): Promise<boolean> {
    const keepUntil = new Date(Math.max(notOnOrAfter.getTime(), now) + this.skewMs + 1000);
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

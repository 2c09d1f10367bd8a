import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LoginThrottleService } from '../auth/login-throttle.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { SamlMetadataService } from '../saml/saml-metadata.service.js';
import { SamlReplayService } from '../saml/saml-replay.service.js';
import { ScimUsersListService } from '../scim/scim-users-list.service.js';

/**
 * How often the tasks run. Each purge removes only rows whose time has passed, so running late is
 * harmless; a metadata refresh falls due every SAML_METADATA_REFRESH_HOURS and runs at the next tick.
 */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60 * 1000;

interface Task {
  name: string;
  run(): Promise<number>;
}

/**
 * Everything the service does on a schedule, in one list, on one timer. Every instance runs it;
 * the purges are idempotent DELETEs of expired rows, so instances need no coordination, and the
 * IdP metadata refresh claims each due tenant (one refresh per tenant across instances).
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: Task[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Record<string, number>> | undefined;

  constructor(
    sessions: SessionsService,
    loginThrottle: LoginThrottleService,
    samlReplay: SamlReplayService,
    scimLists: ScimUsersListService,
    samlMetadata: SamlMetadataService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.tasks = [
      { name: 'sessions past their idle or absolute expiry', run: () => sessions.purgeExpired() },
      { name: 'login throttle counters of ended windows', run: () => loginThrottle.purgeExpired() },
      { name: 'SAML assertion IDs past their replay window', run: () => samlReplay.purgeExpired() },
      { name: 'SAML AuthnRequests past their 5 minutes', run: () => samlReplay.purgeExpiredAuthnRequests() },
      { name: 'SCIM page anchors past cursorTimeout', run: () => scimLists.purgeExpired() },
      // Last: it waits on identity providers (bounded: a batch of tenants, 10 s per fetch).
      { name: 'IdP metadata refreshes that are due', run: () => samlMetadata.refreshDue() },
    ];
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), HOUSEKEEPING_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs every task once (one at a time; a call during a run joins it); returns rows removed (tenants refreshed) per task. */
  runOnce(): Promise<Record<string, number>> {
    this.running ??= this.runTasks().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runTasks(): Promise<Record<string, number>> {
    const removed: Record<string, number> = {};
    for (const task of this.tasks) {
      try {
        removed[task.name] = await task.run();
      } catch (err) {
        // One failing purge (say, the database is briefly away) must not stop the others.
        this.logger.warn({ err, task: task.name }, 'housekeeping task failed');
      }
    }
    if (Object.values(removed).some((n) => n > 0)) this.logger.debug({ removed }, 'housekeeping');
    return removed;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { databaseUnavailableCode } from '../common/database/pg-errors.js';
import { rateLimited } from '../common/logging/log-rate-limiter.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { AuditRepository, type AuditQuery, type NewAuditEvent } from './audit.repository.js';
import type { AuditEventEntity } from './audit-event.entity.js';

/** Records who did what to which tenant and how it ended. Never give it a secret. */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Records an event. Inside a transaction (manager given) a failure aborts the transaction;
   * outside one, a failure to write the audit row is logged and does not fail the request
   * that already happened. Logged once per interval and kind of failure, with a count: during a
   * database outage every refused request would otherwise add its own line.
   */
  async record(tenantId: string, event: NewAuditEvent, manager?: EntityManager): Promise<void> {
    if (manager) return this.repository.insert(tenantId, event, manager);
    try {
      await this.repository.insert(tenantId, event);
    } catch (err) {
      // With the database away this is the outage again: one of its "database …" lines per interval.
      const unavailable = databaseUnavailableCode(err);
      const code = unavailable ?? (err instanceof Error && 'code' in err ? String(err.code) : 'other');
      rateLimited(this.logger).error(
        `audit|${code}|${event.kind}.${event.action}`,
        { err, code, tenantId, kind: event.kind, action: event.action },
        unavailable ? 'database unavailable: audit record not written' : 'audit record could not be written',
      );
    }
  }

  list(tenantId: string, query: AuditQuery): Promise<AuditEventEntity[]> {
    return this.repository.list(tenantId, query);
  }
}

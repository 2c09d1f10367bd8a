import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
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
   * that already happened.
   */
  async record(tenantId: string, event: NewAuditEvent, manager?: EntityManager): Promise<void> {
    if (manager) return this.repository.insert(tenantId, event, manager);
    try {
      await this.repository.insert(tenantId, event);
    } catch (err) {
      this.logger.error({ err, tenantId, kind: event.kind, action: event.action }, 'audit record could not be written');
    }
  }

  list(tenantId: string, query: AuditQuery): Promise<AuditEventEntity[]> {
    return this.repository.list(tenantId, query);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import { AuditEventEntity, type AuditKind, type AuditOutcome } from './audit-event.entity.js';

/** An audit reason is a sentence, not a payload: longer ones are cut. */
export const MAX_AUDIT_REASON = 1000;

export interface NewAuditEvent {
  kind: AuditKind;
  action: string;
  outcome: AuditOutcome;
  actor?: string | null;
  target?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export interface AuditQuery {
  limit: number;
  before?: string;
  kind?: AuditKind;
  outcome?: AuditOutcome;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One plain INSERT (no RETURNING, no entity machinery): every sign-in and SCIM write makes one. */
  async insert(tenantId: string, event: NewAuditEvent, manager?: EntityManager): Promise<void> {
    await preparedQuery(
      this.dataSource,
      `INSERT INTO audit_events (tenant_id, kind, action, outcome, actor, target, reason, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenantId,
        event.kind,
        event.action,
        event.outcome,
        truncate(event.actor, 320),
        truncate(event.target, 320),
        truncate(event.reason, MAX_AUDIT_REASON),
        event.details ? JSON.stringify(event.details) : null,
      ],
      manager,
    );
  }

  /** Newest first, keyed on the identity column so paging is stable while events arrive. */
  async list(tenantId: string, query: AuditQuery): Promise<AuditEventEntity[]> {
    const qb = this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId })
      .orderBy('e.id', 'DESC')
      .limit(query.limit);
    if (query.before) qb.andWhere('e.id < :before', { before: query.before });
    if (query.kind) qb.andWhere('e.kind = :kind', { kind: query.kind });
    if (query.outcome) qb.andWhere('e.outcome = :outcome', { outcome: query.outcome });
    return qb.getMany();
  }
}

function truncate(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../common/database/prepared-query.js';
import { AuditEventEntity, type AuditKind, type AuditOutcome } from './audit-event.entity.js';

/** An audit reason is a sentence, not a payload: longer ones are cut. */
export const MAX_AUDIT_REASON = 1000;

/** Identical failures within one window of this many seconds share one row. */
export const AUDIT_COALESCE_WINDOW_SECONDS = 60;

export interface NewAuditEvent {
  kind: AuditKind;
  action: string;
  outcome: AuditOutcome;
  actor?: string | null;
  target?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
  /**
   * Failures only: a stable code of the reason (default: `details.code` when it is a string,
   * else the reason text) and, for unauthenticated attempts, the client address they came from.
   * Identical failures within one window become one row with a count (see coalescingKey).
   */
  code?: string | null;
  source?: string | null;
}

export interface AuditQuery {
  limit: number;
  before?: string;
  kind?: AuditKind;
  outcome?: AuditOutcome;
}

/**
 * One audit row, or one more occurrence of a coalesced failure (see AuditRepository.insert).
 * Exported for the bare POST server of `npm run bench -- --baseline` (the same statement).
 */
export const INSERT_AUDIT_EVENT_SQL = `INSERT INTO audit_events AS e (tenant_id, kind, action, outcome, actor, target, reason, details, coalesce_key, coalesce_window)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               CASE WHEN $9::bytea IS NULL THEN NULL ELSE to_timestamp(floor(extract(epoch FROM now()) / $10::int) * $10::int) END)
       ON CONFLICT (tenant_id, coalesce_key, coalesce_window) WHERE coalesce_key IS NOT NULL
       DO UPDATE SET count = e.count + 1, last_at = now(), actor = EXCLUDED.actor, target = EXCLUDED.target, reason = EXCLUDED.reason, details = EXCLUDED.details`;

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One statement (no RETURNING, no entity machinery): every sign-in and SCIM write makes one. A
   * failure with the coalescing key of one already recorded in the same window (the database's
   * clock, so every instance agrees) adds to that row's count instead, and the row then shows the
   * newest occurrence (`at` stays the first, `last_at` the newest): the partial unique index makes
   * this atomic under concurrency and across instances.
   */
  async insert(tenantId: string, event: NewAuditEvent, manager?: EntityManager): Promise<void> {
    await preparedQuery(
      this.dataSource,
      INSERT_AUDIT_EVENT_SQL,
      [
        tenantId,
        event.kind,
        event.action,
        event.outcome,
        truncate(event.actor, 320),
        truncate(event.target, 320),
        truncate(event.reason, MAX_AUDIT_REASON),
        event.details ? JSON.stringify(event.details) : null,
        coalescingKey(event),
        AUDIT_COALESCE_WINDOW_SECONDS,
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

/**
 * What makes two failures "the same" for the log: kind, action, the reason's code, and who. For
 * an attempt from an unauthenticated client the caller gives its address as `source`, and the
 * attacker-chosen parts (the email tried, the echoed reason when a code exists) stay out of the
 * key: keyed by those, every new value would be a new row. A source then grows the log by at most
 * one row per reason code per window. Without a source (authenticated writers: SCIM, admins;
 * ACS failures before the caller passes an address) the actor and target are part of the key, so
 * failures about different users stay apart; an ACS response whose signature failed has neither
 * and coalesces per code. Successes are never coalesced (null key).
 */
function coalescingKey(event: NewAuditEvent): Buffer | null {
  if (event.outcome !== 'failure') return null;
  const detailCode = typeof event.details?.code === 'string' ? event.details.code : undefined;
  const code = event.code ?? detailCode ?? event.reason ?? null;
  const who = event.source ? ['source', event.source] : ['user', event.actor ?? null, event.target ?? null];
  return createHash('sha256').update(JSON.stringify([event.kind, event.action, code, who])).digest();
}

function truncate(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/**
 * Compile-time only (checked by `npm run lint`'s tsc; nothing here runs): where a server type is
 * still declared beside its module instead of taken from src/contract/api-views.d.ts, it must be
 * exactly the contract's, both ways, so neither side can grow a field the other lacks.
 * The audit entity's kind and outcome lists are the ones left: runtime values validated against.
 */
import type { AuditEventEntity } from '../../src/audit/audit-event.entity.js';
import type * as Contract from '../../src/contract/api-views.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type ApiViewsConformance = [
  Assert<Same<AuditEventEntity['kind'], Contract.AuditKind>>,
  Assert<Same<AuditEventEntity['outcome'], Contract.AuditOutcome>>,
];

import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { ScimException } from './wire/scim-exception.js';

/** Who SCIM writes are attributed to in the audit log. */
export const SCIM_ACTOR = 'scim';

/** What a write learns as it goes, for its audit record (success or failure). */
export interface ScimWriteContext {
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/**
 * One SCIM write in one transaction, audited (kind "scim"): success in the same transaction,
 * failure (with the reason) after it rolled back. `toScim` turns a module's refusal into its
 * RFC 7644 error first, so the audit row and the answer say the same.
 */
export async function auditedScimWrite<T>(
  dataSource: DataSource,
  audit: AuditService,
  tenantId: string,
  ctx: ScimWriteContext,
  run: (m: EntityManager, ctx: ScimWriteContext) => Promise<T>,
  toScim: (err: unknown) => unknown,
): Promise<T> {
  try {
    return await dataSource.transaction(async (m) => {
      const result = await run(m, ctx);
      await audit.record(tenantId, { kind: 'scim', actor: SCIM_ACTOR, action: ctx.action, target: ctx.target, outcome: 'success', details: ctx.details }, m);
      return result;
    });
  } catch (err) {
    const failure = toScim(err);
    const reason =
      failure instanceof ScimException ? `${failure.getStatus()}${failure.scimType ? ` ${failure.scimType}` : ''}: ${failure.detail}` : 'internal error (see the service log)';
    await audit.record(tenantId, { kind: 'scim', actor: SCIM_ACTOR, action: ctx.action, target: ctx.target, outcome: 'failure', reason, details: ctx.details });
    throw failure;
  }
}

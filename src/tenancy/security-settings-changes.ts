import type { EntityManager } from 'typeorm';

/**
 * The PostgreSQL NOTIFY channel that names a tenant whose settings row changed (payload: the
 * tenant id). In-process caches of the row (the SCIM gate's) listen on it and drop the tenant.
 */
export const SECURITY_SETTINGS_CHANNEL = 'latchkey_security_settings';

/**
 * Queues the change notice in the writing transaction: PostgreSQL delivers it when, and only if,
 * that transaction commits, so a listener never hears of a write that rolled back, nor misses
 * one that committed.
 *
 * Sent by the application, not by a trigger on tenant_security_settings: under Citus (tables
 * distributed by tenant_id) a trigger fires on the worker node holding the shard, and its NOTIFY
 * reaches that worker's listeners only, never the coordinator the service connects to.
 */
export async function notifySecuritySettingsChanged(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [SECURITY_SETTINGS_CHANNEL, tenantId]);
}

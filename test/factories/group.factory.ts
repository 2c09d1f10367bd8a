import type { TestApp } from '../utils/test-app.js';
import { queryDatabase } from '../utils/test-database.js';

/**
 * Groups and memberships made directly in the database, as SCIM would leave them (member_count
 * kept with the memberships), for tests of what an admin does with groups. The SCIM /Groups
 * endpoints have tests of their own.
 */
export async function insertGroup(t: TestApp, tenantId: string, displayName: string, options: { externalId?: string; licenses?: string[] } = {}): Promise<string> {
  const rows = await queryDatabase<{ id: string }>(t.db, 'INSERT INTO groups (tenant_id, display_name, external_id, licenses) VALUES ($1, $2, $3, $4) RETURNING id', [
    tenantId,
    displayName,
    options.externalId ?? null,
    options.licenses ?? [],
  ]);
  return rows[0]!.id;
}

export async function addMembers(t: TestApp, tenantId: string, groupId: string, userIds: string[]): Promise<void> {
  await queryDatabase(
    t.db,
    `WITH added AS (
       INSERT INTO group_members (tenant_id, group_id, user_id) SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING RETURNING 1)
     UPDATE groups SET member_count = member_count + (SELECT count(*) FROM added) WHERE tenant_id = $1 AND id = $2`,
    [tenantId, groupId, userIds],
  );
}

export async function removeMembers(t: TestApp, tenantId: string, groupId: string, userIds: string[]): Promise<void> {
  await queryDatabase(
    t.db,
    `WITH removed AS (
       DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = ANY($3::uuid[]) RETURNING 1)
     UPDATE groups SET member_count = member_count - (SELECT count(*) FROM removed) WHERE tenant_id = $1 AND id = $2`,
    [tenantId, groupId, userIds],
  );
}

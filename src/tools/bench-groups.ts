import type { DataSource } from 'typeorm';

/** The benchmark's groups, by displayName: the 100,000-member one, the 10-member one, and empty PATCH targets. */
export const BENCH_BIG_GROUP = 'bench-group-100000';
export const BENCH_SMALL_GROUP = 'bench-group-10';
export const BENCH_PATCH_GROUPS = 32;

export interface BenchGroups {
  big: string;
  small: string;
  patchTargets: string[];
}

/**
 * Groups for `npm run bench`, set-based and idempotent: BENCH_BIG_GROUP with the tenant's first
 * 100,000 SCIM users (fewer when the tenant has fewer), BENCH_SMALL_GROUP with the first 10, and
 * BENCH_PATCH_GROUPS empty groups the PATCH scenario adds members to (emptied again on each seed).
 * Memberships are inserted the way GroupsRepository keeps them: member_count set in the same run.
 */
export async function insertBenchGroups(dataSource: DataSource, tenantId: string): Promise<BenchGroups> {
  const ensure = async (name: string): Promise<string> => {
    const rows = (await dataSource.query(
      `WITH added AS (INSERT INTO groups (tenant_id, display_name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM added UNION ALL SELECT id FROM groups WHERE tenant_id = $1 AND display_name = $2`,
      [tenantId, name],
    )) as { id: string }[];
    return rows[0]!.id;
  };
  const fill = async (groupId: string, size: number) => {
    await dataSource.query(
      `WITH added AS (
         INSERT INTO group_members (tenant_id, group_id, user_id)
         SELECT $1, $2, u.id FROM (SELECT id FROM users WHERE tenant_id = $1 AND source = 'scim' ORDER BY created_at, id LIMIT $3) u
         ON CONFLICT DO NOTHING RETURNING 1)
       UPDATE groups SET member_count = member_count + (SELECT count(*) FROM added) WHERE tenant_id = $1 AND id = $2`,
      [tenantId, groupId, size],
    );
  };
  const big = await ensure(BENCH_BIG_GROUP);
  await fill(big, 100_000);
  const small = await ensure(BENCH_SMALL_GROUP);
  await fill(small, 10);
  const patchTargets: string[] = [];
  for (let i = 1; i <= BENCH_PATCH_GROUPS; i++) {
    const id = await ensure(`bench-patch-target-${i}`);
    await dataSource.query('DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2', [tenantId, id]);
    await dataSource.query('UPDATE groups SET member_count = 0 WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    patchTargets.push(id);
  }
  await dataSource.query('ANALYZE groups');
  await dataSource.query('ANALYZE group_members');
  return { big, small, patchTargets };
}

/** Ids of `count` SCIM users spread over the tenant (every k-th in list order), for the PATCH scenario. */
export async function sampleUserIds(dataSource: DataSource, tenantId: string, count: number): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM users WHERE tenant_id = $1 AND source = 'scim') s
      WHERE n % GREATEST(1, (SELECT count(*) FROM users WHERE tenant_id = $1) / $2) = 0 LIMIT $2`,
    [tenantId, count],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

import type { DataSource } from 'typeorm';

/**
 * The benchmark's users: user{i}@bench.test (Given{i} Family{i}), i = 1..count, provisioned as
 * SCIM would (source scim, externalId bench-{i}). One INSERT … SELECT over generate_series per
 * batch of 250,000 rows, existing users skipped by the unique index, the tenant's list version
 * bumped (see UsersRepository), then ANALYZE so the planner knows the new size. Returns how many were added.
 */
export async function insertBenchUsers(dataSource: DataSource, tenantId: string, count: number): Promise<number> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let inserted = 0;
  try {
    await runner.query('SET synchronous_commit = off');
    for (let from = 1; from <= count; from += 250_000) {
      const to = Math.min(count, from + 249_999);
      const result = (await runner.query(
        `WITH added AS (
           INSERT INTO users (tenant_id, email, given_name, family_name, source, external_id)
           SELECT $1, 'user' || i || '@bench.test', 'Given' || i, 'Family' || i, 'scim', 'bench-' || i
             FROM generate_series($2::int, $3::int) AS i
           ON CONFLICT DO NOTHING
           RETURNING 1)
         SELECT count(*)::int AS n FROM added`,
        [tenantId, from, to],
      )) as { n: number }[];
      inserted += result[0]?.n ?? 0;
    }
    // As the users repository does on every insert: SCIM's cached list totals see the new users.
    if (inserted > 0) {
      await runner.query(
        `INSERT INTO user_list_versions AS v (tenant_id, members, changes) VALUES ($1, 1, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET members = v.members + 1, changes = v.changes + 1`,
        [tenantId],
      );
    }
    await runner.query('ANALYZE users');
  } finally {
    await runner.release();
  }
  return inserted;
}

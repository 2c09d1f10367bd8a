import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.js';

/** Any constant works; every Latchkey process uses the same one. */
const MIGRATION_LOCK = 0x4c_4b_4d_47; // "LKMG"

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so that many processes or
 * machines starting at once (WEB_CONCURRENCY, a rolling deploy) migrate exactly once and the
 * others wait, then find nothing left to do. Returns the names of the migrations applied here.
 */
export async function runMigrations(url: string): Promise<string[]> {
  // Two connections: one holds the session-level lock while the migrations run on the other.
  const dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 2, migrationsRun: false, applicationName: 'latchkey-migrations' }));
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Polled, not waited for: a session blocked in pg_advisory_lock holds a snapshot, and a
      // migration that builds an index CONCURRENTLY waits for every older snapshot in the
      // database, so waiting instances would deadlock with the one migrating.
      while (!((await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK])) as { locked: boolean }[])[0]?.locked) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      try {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        return applied.map((m) => m.name);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

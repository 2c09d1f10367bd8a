import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { resolveDatabase } from '../bootstrap/resolve-database.js';
import { createLogger } from '../common/logging/logger.js';
import { loadConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded server). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await resolveDatabase(config, logger);
  const dataSource = new DataSource(buildDataSourceOptions({ url: database.url, poolSize: 2, migrationsRun: false }));
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    logger.info({ applied: applied.map((m) => m.name) }, applied.length ? 'migrations applied' : 'no pending migrations');
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

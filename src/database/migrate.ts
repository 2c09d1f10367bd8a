import 'reflect-metadata';
import { resolveDatabase } from '../bootstrap/resolve-database.js';
import { createLogger } from '../common/logging/logger.js';
import { loadConfig } from '../config/app-config.js';
import { runMigrations } from './run-migrations.js';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded server). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await resolveDatabase(config, logger);
  try {
    const applied = await runMigrations(database.url);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'no pending migrations');
  } finally {
    await database.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

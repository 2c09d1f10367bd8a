import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL selects a server. Without it, the embedded PostgreSQL under DATA_DIR is started
 * (or joined, when another Latchkey process on this machine already runs it) and its URL is set
 * on the configuration.
 */
export async function resolveDatabase(config: AppConfig, logger: Logger): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  logger.info('DATABASE_URL is not set: using the embedded PostgreSQL');
  const handle = await startEmbeddedPostgres({
    dataDir: config.DATA_DIR,
    port: config.EMBEDDED_POSTGRES_PORT,
    dbName: 'latchkey',
    logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
  });
  config.DATABASE_URL = handle.url;
  return { url: handle.url, embedded: true, stop: handle.stop };
}

import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { resolveAppSecret } from '../config/app-secret.js';
import { toRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.js';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL selects a server. Without it, the embedded PostgreSQL under DATA_DIR is started
 * (or joined, when another Latchkey process on this machine already runs it).
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
  return { url: handle.url, embedded: true, stop: handle.stop };
}

export interface Runtime {
  config: RuntimeConfig;
  database: ResolvedDatabase;
}

/**
 * Start-up's one place that resolves what the environment may leave out (the secret, the
 * database), so everything after it sees a RuntimeConfig with both present.
 */
export async function resolveRuntime(config: AppConfig, logger: Logger): Promise<Runtime> {
  const { secret, fromDataDir } = resolveAppSecret(config);
  if (fromDataDir) {
    logger.warn(`APP_SECRET is not set: using a generated one kept in ${config.DATA_DIR}/app-secret (set APP_SECRET in production)`);
  }
  const database = await resolveDatabase(config, logger);
  return { config: toRuntimeConfig(config, { appSecret: secret, databaseUrl: database.url }), database };
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { createApp, type CreateAppOptions } from '../../src/bootstrap/create-app.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { loadConfig } from '../../src/config/app-config.js';
import { toRuntimeConfig, type RuntimeConfig } from '../../src/config/runtime-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
export const PUBLIC_URL = 'http://localhost:3000';
export const TEST_APP_SECRET = 'test-app-secret-0123456789-abcdefghijklmnop';

export interface TestApp {
  app: NestFastifyApplication;
  http: Server;
  config: RuntimeConfig;
  db: TestDatabase;
  /** Every log line the app wrote, as JSON text: tests assert no secret appears. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Boots the real application (same factory as production) on a fresh database of its own.
 * Pass `db` to start a second instance on the same database (multi-instance tests).
 */
export async function startTestApp(env: Record<string, string> = {}, db?: TestDatabase, options: CreateAppOptions = {}): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const loaded = loadConfig({
    NODE_ENV: 'test',
    APP_SECRET: TEST_APP_SECRET,
    OPERATOR_TOKEN,
    PUBLIC_URL,
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '5',
    ...env,
  });
  const config = toRuntimeConfig(loaded, { appSecret: loaded.APP_SECRET ?? TEST_APP_SECRET, databaseUrl: database.url });
  const logs: string[] = [];
  const logger = createLogger(config.LOG_LEVEL, { write: (line: string) => void logs.push(line) });
  const app = await createApp(config, logger, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: app.getHttpServer() as Server,
    config,
    db: database,
    logs,
    close: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}

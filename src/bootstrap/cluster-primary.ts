import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { RuntimeConfig } from '../config/runtime-config.js';
import { runMigrations } from '../database/run-migrations.js';
import { withServiceHeapFlags } from './heap-settings.js';
import type { ResolvedDatabase } from './resolve-database.js';

/**
 * WEB_CONCURRENCY > 1: this process only supervises. It owns the embedded PostgreSQL (if any),
 * migrates once, then forks N workers that share the listening port (node:cluster round-robin).
 * Workers hold no state that others need: sessions, replay cache and tokens are in PostgreSQL.
 */
export async function runClusterPrimary(config: RuntimeConfig, database: ResolvedDatabase, logger: Logger): Promise<void> {
  await runMigrations(database.url);
  // Workers get the resolved database URL and secret, so they neither start PostgreSQL nor
  // generate a second development secret.
  const env = { DATABASE_URL: database.url, APP_SECRET: config.APP_SECRET, LATCHKEY_WORKER: '1' };
  let stopping = false;
  // Workers run with the service's heap flags even when this process was started without them.
  cluster.setupPrimary({ execArgv: withServiceHeapFlags(process.execArgv, process.env.NODE_OPTIONS) });
  const fork = (): Worker => cluster.fork(env);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
    setTimeout(fork, 1000).unref();
  });
  for (let i = 0; i < config.WEB_CONCURRENCY; i++) fork();
  logger.info({ workers: config.WEB_CONCURRENCY, port: config.PORT }, 'Latchkey cluster started');

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let alive = workers.length;
    const done = async () => {
      await database.stop();
      logger.info('stopped');
      process.exit(0);
    };
    if (alive === 0) return void done();
    for (const w of workers) {
      w.once('exit', () => {
        alive -= 1;
        if (alive === 0) void done();
      });
      w.process.kill(signal);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
}

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { RuntimeConfig } from '../config/runtime-config.js';
import { runMigrations } from '../database/run-migrations.js';
import { ClusterMetrics } from '../metrics/cluster-metrics.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import { serviceEnvDefaults, withServiceHeapFlags } from './heap-settings.js';
import type { ResolvedDatabase } from './resolve-database.js';

/** A worker that dies on its own is replaced after this pause (a crash loop then costs little). */
const RESPAWN_DELAY_MS = 1000;

/**
 * WEB_CONCURRENCY > 1: this process only supervises. It owns the embedded PostgreSQL (if any),
 * migrates once, then forks N workers that share the listening port (node:cluster round-robin).
 * Workers hold no state that others need: sessions, replay cache and tokens are in PostgreSQL.
 * A worker that dies is replaced; on SIGTERM/SIGINT the signal is forwarded to every worker (each
 * drains as a single process does), nothing is replaced any more, and once all have exited the
 * embedded PostgreSQL stops.
 */
export async function runClusterPrimary(config: RuntimeConfig, database: ResolvedDatabase, logger: Logger): Promise<void> {
  await runMigrations(database.url);
  // Workers get the resolved database URL and secret, so they neither start PostgreSQL nor
  // generate a second development secret.
  // They also get the service's malloc settings when this process was started without them.
  const env = { ...serviceEnvDefaults(process.env), DATABASE_URL: database.url, APP_SECRET: config.APP_SECRET, LATCHKEY_WORKER: '1' };
  let stopping = false;
  // Workers run with the service's heap flags even when this process was started without them.
  cluster.setupPrimary({ execArgv: withServiceHeapFlags(process.execArgv, process.env.NODE_OPTIONS) });
  // Each worker has a slot (0 … WEB_CONCURRENCY - 1) that its replacement inherits: the metrics'
  // `worker` label, bounded however often workers die.
  const slots = new Map<Worker, number>();
  const metrics = config.METRICS_PORT === undefined ? null : new ClusterMetrics(logger);
  const fork = (slot: number): void => {
    if (stopping) return;
    const worker = cluster.fork(env);
    slots.set(worker, slot);
    worker.once('online', () => logger.info({ pid: worker.process.pid }, 'worker started'));
  };
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker) ?? 0;
    slots.delete(worker);
    metrics?.gone(worker);
    if (stopping) {
      logger.info({ pid: worker.process.pid, code, signal }, 'worker stopped');
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
    setTimeout(() => fork(slot), RESPAWN_DELAY_MS).unref();
  });
  // Written at once (the logger buffers 4 KiB otherwise): supervisors and the fault tests wait for it.
  cluster.on('listening', (worker) => {
    metrics?.serve(worker, slots.get(worker) ?? -1);
    logger.info({ pid: worker.process.pid }, 'worker listening');
    logger.flush();
  });
  for (let i = 0; i < config.WEB_CONCURRENCY; i++) fork(i);
  // The workers' metrics, on the primary's own listener (workers serve none).
  if (metrics && config.METRICS_PORT !== undefined) {
    await startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, render: () => metrics.render(), logger });
  }
  logger.info({ workers: config.WEB_CONCURRENCY, port: config.PORT }, 'Latchkey cluster started');

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    let alive = workers.length;
    let code = 0;
    const done = async () => {
      await database.stop().catch((err: unknown) => {
        logger.error({ err }, 'the embedded PostgreSQL did not stop');
        code = 1;
      });
      logger.info('stopped');
      process.exit(code);
    };
    if (alive === 0) return void done();
    // Each worker bounds its own drain by the same settings; this only catches one that hangs.
    const deadline = setTimeout(
      () => {
        for (const w of workers) {
          if (!w.isDead()) {
            logger.error({ pid: w.process.pid }, 'worker did not stop in time: killing it');
            code = 1;
            w.process.kill('SIGKILL');
          }
        }
      },
      (config.SHUTDOWN_DELAY_SECONDS + config.SHUTDOWN_TIMEOUT_SECONDS + 10) * 1000,
    );
    deadline.unref();
    for (const w of workers) {
      w.once('exit', () => {
        alive -= 1;
        if (alive === 0) {
          clearTimeout(deadline);
          void done();
        }
      });
      // Always SIGTERM: a worker treats SIGINT alike, and Ctrl-C has already sent it one.
      w.process.kill('SIGTERM');
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
}

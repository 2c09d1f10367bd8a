import 'reflect-metadata';
import cluster from 'node:cluster';
import { getHeapStatistics } from 'node:v8';
import { runClusterPrimary } from './bootstrap/cluster-primary.js';
import { createApp } from './bootstrap/create-app.js';
import { drainAndClose } from './bootstrap/graceful-shutdown.js';
import { heapSettingsWarning } from './bootstrap/heap-settings.js';
import { resolveRuntime } from './bootstrap/resolve-database.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createLogger } from './common/logging/logger.js';
import { TenantsService } from './tenancy/tenants.service.js';

async function main(): Promise<void> {
  let env;
  try {
    env = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const { config, database } = await resolveRuntime(env, logger);
  if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
    await runClusterPrimary(config, database, logger);
    return;
  }
  // A serving process (cluster workers get the flags from the primary).
  const heapWarning = heapSettingsWarning(getHeapStatistics().heap_size_limit);
  if (heapWarning) logger.warn(heapWarning);

  const app = await createApp(config, logger);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timing = { delaySeconds: config.SHUTDOWN_DELAY_SECONDS, timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
    // Whatever hangs (a pool that will not end, a stuck PostgreSQL), the process still ends.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, (timing.delaySeconds + timing.timeoutSeconds + 15) * 1000).unref();
    let code = 0;
    try {
      // 1 when requests still in flight after the timeout had their connections cut.
      if (!(await drainAndClose(app, timing, logger))) code = 1;
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      code = 1;
    } finally {
      await database.stop().catch((err: unknown) => {
        logger.error({ err }, 'the embedded PostgreSQL did not stop');
        code = 1;
      });
      logger.info('stopped');
      process.exit(code);
    }
  };
  // A second signal (Ctrl-C reaches a cluster worker from the terminal and from the primary) joins the first.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));

  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url: config.publicUrl, port: config.PORT, pid: process.pid }, 'Latchkey is listening');

  if (cluster.isPrimary && (await app.get(TenantsService).count()) === 0) {
    logger.info(
      [
        'No tenant exists yet. Create the first one with its System Admin:',
        `  npm run cli -- create-tenant --slug acme --name "Acme" --admin-email admin@acme.test --admin-given-name Ada --admin-family-name Admin`,
        '  (the CLI asks for the password, or reads it from LATCHKEY_ADMIN_PASSWORD)',
        `or, with OPERATOR_TOKEN set: curl -X POST ${config.publicUrl}/api/operator/tenants -H "Authorization: Bearer $OPERATOR_TOKEN" -H "Content-Type: application/json" \\`,
        `  -d '{"slug":"acme","name":"Acme","admin":{"email":"admin@acme.test","password":"<at least 10 characters>","givenName":"Ada","familyName":"Admin"}}'`,
        `Then sign in at ${config.publicUrl}/t/acme/login`,
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Latchkey failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ShutdownState } from '../common/http/shutdown-state.js';

export interface ShutdownTiming {
  /** Seconds between readiness turning 503 and the listener closing (the load balancer's time to notice). */
  delaySeconds: number;
  /** Seconds requests in flight get to finish once the listener is closed; then their connections are cut. */
  timeoutSeconds: number;
}

/**
 * The graceful shutdown of one serving process: readiness answers 503 at once; after the delay the
 * listener stops taking connections (Fastify's close); requests in flight finish, each response
 * closing its keep-alive connection (create-app's onSend hook), idle connections are closed at
 * once; connections still busy after the timeout are cut. Nest's destroy hooks, which run first,
 * close the SCIM gate's settings-change listener (ScimGateListener: its cache turns off, so
 * requests still in flight read the database); its shutdown hooks, which run last, close the
 * database pool. Returns whether everything finished within the timeout.
 */
export async function drainAndClose(app: NestFastifyApplication, timing: ShutdownTiming, logger: Logger): Promise<boolean> {
  app.get(ShutdownState).beginDraining();
  logger.info({ delaySeconds: timing.delaySeconds, timeoutSeconds: timing.timeoutSeconds }, 'shutting down: readiness answers 503; the listener closes after the delay');
  if (timing.delaySeconds > 0) await new Promise((r) => setTimeout(r, timing.delaySeconds * 1000));

  const server = app.getHttpServer() as Server;
  let clean = true;
  const cut = setTimeout(() => {
    clean = false;
    logger.warn({ timeoutSeconds: timing.timeoutSeconds }, 'requests still in flight after the shutdown timeout: closing their connections');
    server.closeAllConnections();
  }, timing.timeoutSeconds * 1000);
  try {
    logger.info('closing the listener; waiting for requests in flight');
    await app.close();
  } finally {
    clearTimeout(cut);
  }
  return clean;
}

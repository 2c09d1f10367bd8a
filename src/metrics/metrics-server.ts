import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** The exposition text and its content type, produced per scrape. */
  render: () => Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

/**
 * The metrics listener: a plain node:http server on its own port, apart from the public Fastify
 * one, so /metrics can never be reached through the load balancer's port and a scrape costs no
 * request hook, route policy or exception filter. GET /metrics only; everything else is 404.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  const { logger } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('Method not allowed\n');
      return;
    }
    options.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable; see the service log\n');
      },
    );
  });
  // A scraper sends a few hundred bytes; nothing here needs the public listener's patience.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(new Error(`METRICS_PORT=${options.port}: cannot listen on ${options.host}:${options.port} (${err.message})`));
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, 'metrics at GET /metrics');
  return server;
}

/** Stops the listener and drops its idle keep-alive connections (a scraper holds one open). */
export async function stopMetricsServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}

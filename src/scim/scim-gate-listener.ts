import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { rowsQuery } from '../common/database/prepared-query.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { RuntimeConfig } from '../config/runtime-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SECURITY_SETTINGS_CHANNEL } from '../tenancy/security-settings-changes.js';
import { ScimGateCache } from './scim-gate-cache.js';

/** As pg_stat_activity shows the listening connection (one per process). */
export const GATE_LISTENER_APPLICATION_NAME = 'latchkey-gate-listener';

/** A connection that answers no `SELECT 1` within HEARTBEAT_TIMEOUT_MS is taken for dead. */
const HEARTBEAT_INTERVAL_MS = 3_000;
const HEARTBEAT_TIMEOUT_MS = 2_000;
/** Before trusting a new connection, a notice sent through the pool must come back on it within this. */
const PROBE_TIMEOUT_MS = 5_000;
/** Payloads of those probes (tenant ids are UUIDs, so never taken for one). */
const PROBE_PREFIX = 'probe:';
/** Reconnection delays: doubling from the first to the last, each with up to half of it as jitter. */
const RETRY_FIRST_MS = 500;
const RETRY_LAST_MS = 15_000;

/**
 * The one session-level connection per process (its own pg Client, not from the pool) that
 * LISTENs for settings changes and drops the tenant from ScimGateCache. The cache is trusted only
 * while this connection is up and LISTEN has taken effect: an error or end of the connection marks
 * it down (empty, nothing stored) at once, and it is marked up again, empty, only after a new
 * connection's LISTEN, and only once a probe notice sent through the pool (the path every writer
 * takes) has come back on it: a listener that cannot hear the writers (LISTEN through PgBouncer in
 * transaction mode, a different database) never turns the cache on. Meanwhile reconnection is
 * retried with backoff.
 *
 * A connection that dies without a FIN (a partition, a vanished host) sends no error: TCP
 * keepalive and a `SELECT 1` every HEARTBEAT_INTERVAL_MS, answered within HEARTBEAT_TIMEOUT_MS,
 * find it, so a silently dead listener is trusted for at most about 5 s.
 *
 * Behind PgBouncer in transaction mode LISTEN does not work: DATABASE_LISTEN_URL then names the
 * PostgreSQL server directly. Started by the first gate read, so processes that serve no SCIM
 * (the CLI, tooling) open no connection; closed by Nest's destroy hooks, before the pool.
 */
@Injectable()
export class ScimGateListener implements OnModuleDestroy {
  private client: pg.Client | null = null;
  private started = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly probes = new Map<string, () => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: ScimGateCache,
    private readonly config: RuntimeConfig,
    private readonly metrics: MetricsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts listening once; later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.config.databaseListenUrl,
      application_name: GATE_LISTENER_APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: this.config.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
    });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the listening connection closed')));
    client.on('notification', (n) => {
      if (this.client !== client || n.channel !== SECURITY_SETTINGS_CHANNEL || !n.payload) return;
      if (n.payload.startsWith(PROBE_PREFIX)) this.probes.get(n.payload)?.();
      else this.cache.invalidate(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SECURITY_SETTINGS_CHANNEL}`);
      await this.probe();
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client) {
      // Stopped while connecting.
      client.end().catch(() => undefined);
      return;
    }
    this.cache.markUp();
    this.metrics.scimGateListenerUp(true);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(client), HEARTBEAT_INTERVAL_MS).unref();
    this.logger.info({ failedAttempts: this.failures }, 'SCIM gate cache on: listening for settings changes');
    this.failures = 0;
  }

  /** Sends a notice through the pool and waits for it to arrive on the listening connection. */
  private async probe(): Promise<void> {
    const payload = `${PROBE_PREFIX}${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<void>((resolve, reject) => {
      this.probes.set(payload, resolve);
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `a change notice sent through the pool did not arrive on the listening connection within ${PROBE_TIMEOUT_MS} ms ` +
                '(DATABASE_LISTEN_URL must reach the same database directly or through a session-mode pool, not PgBouncer in transaction mode)',
            ),
          ),
        PROBE_TIMEOUT_MS,
      );
    });
    try {
      await rowsQuery(this.dataSource, 'SELECT pg_notify($1, $2)', [SECURITY_SETTINGS_CHANNEL, payload]);
      await heard;
    } finally {
      clearTimeout(timer);
      this.probes.delete(payload);
    }
  }

  private async heartbeat(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the listening connection did not answer within ${HEARTBEAT_TIMEOUT_MS} ms`)), HEARTBEAT_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      this.lost(client, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The connection failed (or was closed): the cache goes down at once; reconnect unless stopping. */
  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    this.down();
    // Not awaited: a connection dead without a FIN may never confirm its end.
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = Math.min(RETRY_LAST_MS, RETRY_FIRST_MS * 2 ** this.failures) * (1 + Math.random() / 2);
    // A warning, once per streak: requests still work (they read the database), only slower.
    if (this.failures === 0) this.logger.warn({ err }, 'SCIM gate cache off: the settings-change listener has no connection; reconnecting with backoff');
    this.failures++;
    this.retryTimer = setTimeout(() => void this.connect(), delay).unref();
  }

  private down(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.cache.markDown();
    this.metrics.scimGateListenerUp(false);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    this.down();
    if (client) await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

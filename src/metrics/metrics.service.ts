import cluster from 'node:cluster';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { answerClusterMetricsRequests } from './cluster-metrics.js';

/** The limiters whose refusals are counted (`latchkey_rate_limited_total{limiter}`). */
export type RateLimiterName = 'login' | 'saml_acs' | 'scim' | 'body_budget';

/** How a SAML sign-in at the ACS ended: signed in, refused (a SAML error code), throttled, or a fault. */
export type SamlSignInOutcome = 'success' | 'failure' | 'throttled' | 'error';

/** What a connection pool tells about itself (pg.Pool's counters). */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface MetricsOptions {
  /** False: nothing is created or counted; every method returns at once. */
  enabled: boolean;
  /** Adds a `tenant` label (an existing tenant's slug) to the SAML sign-in and SCIM families. */
  tenantLabel: boolean;
}

/** HTTP methods as label values; anything else is `other`, so the label set stays fixed. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Request latency: 5 ms (a cached SCIM lookup) to 10 s (a scrypt sign-in on a starved machine). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Query latency: indexed reads take well under a millisecond; 5 s is a stuck pool or lock. */
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's Prometheus metrics, in a registry of its own (two applications in one process,
 * as the tests start them, do not collide). Every label value comes from a fixed set: route
 * templates, not paths; SAML error codes, not reasons; a tenant slug only when the operator asked
 * for it, and only of a tenant that exists. Counting is a hash of three short strings and an
 * addition, on a path that already costs a database round trip.
 *
 * In a cluster worker the registry answers the primary's requests over the cluster IPC channel;
 * the primary serves every worker's series, labelled by worker slot (cluster-metrics.ts).
 */
export class MetricsService {
  readonly enabled: boolean;
  readonly registry = new Registry();
  private readonly tenantLabel: boolean;
  private readonly httpRequests: Counter;
  private readonly httpDuration: Histogram;
  private readonly samlSignIns: Counter;
  private readonly scimOperations: Counter;
  private readonly rateLimitedTotal: Counter;
  private readonly queryDuration: Histogram;
  private readonly queryErrors: Counter;
  private readonly pools: { stats: PoolStats; max: number }[] = [];
  private readonly gateListener: Gauge;

  constructor(options: MetricsOptions) {
    this.enabled = options.enabled;
    this.tenantLabel = options.enabled && options.tenantLabel;
    const registers = this.enabled ? [this.registry] : [];
    const tenant = this.tenantLabel ? (['tenant'] as const) : [];
    this.httpRequests = new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'Time from the request line to the last byte of the response, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.samlSignIns = new Counter({
      name: 'latchkey_saml_signins_total',
      help: 'SAML sign-ins at the ACS, by outcome (success, failure, throttled, error) and reason (a SAML error code; none on success)',
      labelNames: ['outcome', 'reason', ...tenant],
      registers,
    });
    this.scimOperations = new Counter({
      name: 'latchkey_scim_operations_total',
      help: 'SCIM requests answered, by resource, operation and status',
      labelNames: ['resource', 'operation', 'status', ...tenant],
      registers,
    });
    this.rateLimitedTotal = new Counter({
      name: 'latchkey_rate_limited_total',
      help: 'Requests refused by a limiter: login (password sign-in throttle), saml_acs (ACS failure throttle), scim (per-tenant rate), body_budget (503 busy)',
      labelNames: ['limiter'],
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'latchkey_db_query_duration_seconds',
      help: 'Database query time as the service sees it (sent to answered, pool wait excluded)',
      buckets: QUERY_BUCKETS,
      registers,
    });
    this.queryErrors = new Counter({
      name: 'latchkey_db_query_errors_total',
      help: 'Database queries that failed (connection lost, constraint violated, …)',
      registers,
    });
    const pools = this.pools;
    const poolGauge = (name: string, help: string, read: (p: { stats: PoolStats; max: number }) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pools.reduce((sum, p) => sum + read(p), 0));
        },
      });
    poolGauge('latchkey_db_pool_connections', 'Open database connections in the pool (busy and idle)', (p) => p.stats.totalCount);
    poolGauge('latchkey_db_pool_idle_connections', 'Open database connections not in use', (p) => p.stats.idleCount);
    poolGauge('latchkey_db_pool_waiting_clients', 'Queries waiting for a free connection', (p) => p.stats.waitingCount);
    poolGauge('latchkey_db_pool_max_connections', 'Largest pool size (DATABASE_POOL_SIZE)', (p) => p.max);
    this.gateListener = new Gauge({
      name: 'latchkey_scim_gate_listener_up',
      help: '1 while the SCIM gate cache hears settings changes (its LISTEN connection is up); 0: every SCIM request reads the gate from the database',
      registers,
    });
    if (!this.enabled) return;
    // Process CPU, memory, heap, GC, handles, and event-loop lag (nodejs_eventloop_lag_seconds and
    // its percentiles, from monitorEventLoopDelay).
    collectDefaultMetrics({ register: this.registry });
    // A worker serves no listener: the primary asks it over IPC (cluster-metrics.ts).
    if (cluster.isWorker) answerClusterMetricsRequests(this.registry);
  }

  /** One answered HTTP request; `route` is its template (or `unmatched`), never its path. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    if (!this.enabled) return;
    const labels = { method: METHODS.has(method) ? method : 'other', route, status };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  scimOperation(resource: string, operation: string, status: number, tenantSlug: string | undefined): void {
    if (!this.enabled) return;
    this.scimOperations.inc(this.tenantLabel ? { resource, operation, status, tenant: tenantSlug ?? '' } : { resource, operation, status });
  }

  /** `reason`: a SAML error code (a fixed enum), `none`, `too_many_attempts` or `internal`. */
  samlSignIn(outcome: SamlSignInOutcome, reason: string, tenantSlug: string | undefined): void {
    if (!this.enabled) return;
    this.samlSignIns.inc(this.tenantLabel ? { outcome, reason, tenant: tenantSlug ?? '' } : { outcome, reason });
  }

  rateLimited(limiter: RateLimiterName): void {
    if (!this.enabled) return;
    this.rateLimitedTotal.inc({ limiter });
  }

  observeQuery(seconds: number, failed: boolean): void {
    if (!this.enabled) return;
    this.queryDuration.observe(seconds);
    if (failed) this.queryErrors.inc();
  }

  scimGateListenerUp(up: boolean): void {
    if (!this.enabled) return;
    this.gateListener.set(up ? 1 : 0);
  }

  /** Reports a pool's size, idle and waiting counts at every scrape (read then, not tracked). */
  watchPool(stats: PoolStats, max: number): void {
    if (!this.enabled) return;
    this.pools.push({ stats, max });
  }

  /** The exposition text of this process's registry. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

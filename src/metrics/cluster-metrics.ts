import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Logger } from 'pino';

const REQUEST = 'latchkey:metrics-request';
const RESPONSE = 'latchkey:metrics-response';
/** A worker that has not answered by then is left out of this scrape (and logged). */
const WORKER_TIMEOUT_MS = 3000;

/** What the primary uses of a cluster worker. */
export type MetricsWorker = Pick<Worker, 'id' | 'isConnected' | 'send'> & { process: { pid?: number } };

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];
interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  metrics?: MetricsJson;
  error?: string;
}

/** The worker's end of the IPC channel (the process itself; a stand-in in tests). */
export interface WorkerChannel {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  send?(message: unknown): boolean;
}

/** Worker side: answers the primary's requests with this process's registry, over the cluster IPC channel. */
export function answerClusterMetricsRequests(registry: Registry, channel: WorkerChannel = process): void {
  channel.on('message', (message: unknown) => {
    const request = message as Partial<MetricsRequest> | null;
    if (request?.type !== REQUEST || typeof request.id !== 'number') return;
    const id = request.id;
    registry.getMetricsAsJSON().then(
      (metrics) => channel.send?.({ type: RESPONSE, id, metrics } satisfies MetricsResponse),
      (err: unknown) => channel.send?.({ type: RESPONSE, id, error: String(err) } satisfies MetricsResponse),
    );
  });
}

/**
 * Primary side of WEB_CONCURRENCY: a scrape asks every worker that is serving for its registry
 * and answers with all of them, each series labelled `worker` with the worker's slot (0 to
 * WEB_CONCURRENCY - 1; a replacement takes the slot of the worker it replaces).
 *
 * Why a label rather than prom-client's AggregatorRegistry sum: a sum of counters drops when a
 * worker dies, Prometheus reads the drop as a counter reset, and rate() then counts the survivors'
 * whole totals again as new traffic (a false spike at every crash). Per-worker series reset
 * alone, which rate() handles; `sum without (worker)` gives the total. The label is bounded by
 * WEB_CONCURRENCY (at most 64).
 */
export class ClusterMetrics {
  private readonly serving = new Map<MetricsWorker, number>();
  private readonly pending = new Map<string, (response: MetricsResponse | null) => void>();
  private nextId = 0;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = WORKER_TIMEOUT_MS,
  ) {
    cluster.on('message', (worker: MetricsWorker, message: unknown) => {
      const response = message as Partial<MetricsResponse> | null;
      if (response?.type !== RESPONSE || typeof response.id !== 'number') return;
      this.pending.get(`${worker.id}:${response.id}`)?.(response as MetricsResponse);
    });
  }

  /** The worker in `slot` listens (its application, and so its registry, is up). */
  serve(worker: MetricsWorker, slot: number): void {
    this.serving.set(worker, slot);
  }

  gone(worker: MetricsWorker): void {
    this.serving.delete(worker);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    const id = this.nextId++;
    const answers = await Promise.all([...this.serving].map(([worker, slot]) => this.ask(worker, slot, id)));
    const registry = AggregatorRegistry.aggregate(answers.filter((a): a is MetricsJson => a !== null));
    return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
  }

  private ask(worker: MetricsWorker, slot: number, id: number): Promise<MetricsJson | null> {
    const key = `${worker.id}:${id}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), this.timeoutMs);
      const settle = (response: MetricsResponse | null) => {
        clearTimeout(timer);
        this.pending.delete(key);
        if (!response?.metrics) {
          this.logger.warn({ worker: slot, pid: worker.process.pid, error: response?.error ?? 'no answer' }, 'metrics: a worker did not answer; left out of this scrape');
          resolve(null);
          return;
        }
        resolve(withWorkerLabel(response.metrics, String(slot)));
      };
      this.pending.set(key, settle);
      if (!worker.isConnected()) return settle(null);
      // With a callback, a closed channel is reported here instead of as an 'error' event.
      worker.send({ type: REQUEST, id } satisfies MetricsRequest, (err: Error | null) => {
        if (err) settle(null);
      });
    });
  }
}

/** Every series of one worker, with its slot as `worker`; summing is then the identity (series never meet). */
function withWorkerLabel(metrics: MetricsJson, slot: string): MetricsJson {
  return metrics.map((metric) => ({
    ...metric,
    aggregator: 'sum',
    values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, worker: slot } })),
  }));
}

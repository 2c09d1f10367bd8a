import pg from 'pg';
import { performance } from 'node:perf_hooks';

type QueryCallback = (err: Error | null, result: unknown) => void;
type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * The pg Client class of the service's pool. pg.Pool listens for a client's 'error' only while the
 * client is idle in the pool; a connection lost while it is checked out (a TypeORM transaction
 * between two statements, when PostgreSQL restarts or its backend is terminated) emits 'error' on
 * the client with no listener, and Node ends the process for an unhandled 'error' event. This
 * listener keeps the process up: the statement in flight, or the next one, fails with the error
 * (503 to the client, logged once per interval by the outage path), and the pool drops the broken
 * client when it is released.
 */
export class ServicePgClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', ignoreCheckedOutError);
  }
}

function ignoreCheckedOutError(): void {
  // Deliberately empty: see ServicePgClient.
}

/**
 * A pg Client class that reports every query's duration (sent to answered) and whether it failed,
 * handed to pg.Pool as its `Client` (TypeORM passes `extra` through). Every query of the service
 * goes through a pooled client, the prepared hot-path statements and TypeORM's alike, so one
 * override sees them all; the cost is one clock read and one closure per query. Streams
 * (submittables) pass through untimed.
 */
export function timedClientClass(observe: (seconds: number, failed: boolean) => void): typeof pg.Client {
  class TimedClient extends ServicePgClient {}
  const query = pg.Client.prototype.query as unknown as QueryFn;
  (TimedClient.prototype as unknown as { query: QueryFn }).query = function timedQuery(this: pg.Client, ...args: unknown[]): unknown {
    const first = args[0] as { submit?: unknown } | null | undefined;
    if (first && typeof first.submit === 'function') return query.apply(this, args);
    const started = performance.now();
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err: Error | null, result: unknown) => {
        observe((performance.now() - started) / 1000, err != null);
        (callback as QueryCallback)(err, result);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args) as PromiseLike<unknown> | undefined;
    // A promise unless the config object carried its own callback.
    if (typeof result?.then === 'function') {
      result.then(
        () => observe((performance.now() - started) / 1000, false),
        () => observe((performance.now() - started) / 1000, true),
      );
    }
    return result;
  };
  return TimedClient;
}

import type { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** Wait for a connection (new or from the pool) at most this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Run pending migrations when the data source initialises (the service does; tooling may not). */
  migrationsRun: boolean;
  /** As pg_stat_activity shows the connections: `latchkey` serves requests, `latchkey-migrations` migrates. */
  applicationName?: string;
  /** An idle pooled connection failed (the server went away); without a handler TypeORM's logger gets it. */
  onPoolError?: (err: Error) => void;
  /** The pg Client class the pool creates (the metrics' timed client); pg's own when unset. */
  pgClient?: typeof Client;
}

export function buildDataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: options.migrationsRun,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    poolSize: options.poolSize,
    ...(options.onPoolError ? { poolErrorHandler: options.onPoolError } : {}),
    extra: {
      // Fail fast while the database is down, and reconnect on the next query once it is back
      // (pg.Pool replaces broken clients by itself). A refused connection fails at once; this
      // bounds an unreachable host and the wait for a free client (pg-pool applies it to queued
      // requests too), so no request hangs during an outage. Not much lower: on a machine busy
      // enough, opening a connection (SCRAM, a new backend) took over 3 s.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30000,
      application_name: options.applicationName ?? 'latchkey',
      ...(options.pgClient ? { Client: options.pgClient } : {}),
    },
  };
}

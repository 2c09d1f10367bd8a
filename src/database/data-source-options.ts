import type { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** Run pending migrations when the data source initialises (the service does; tooling may not). */
  migrationsRun: boolean;
  /** As pg_stat_activity shows the connections: `latchkey` serves requests, `latchkey-migrations` migrates. */
  applicationName?: string;
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
    extra: {
      // Fail fast while the database is down so /health/ready answers 503 quickly, and reconnect
      // on the next query once it is back (pg.Pool replaces broken clients by itself).
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30000,
      application_name: options.applicationName ?? 'latchkey',
      ...(options.pgClient ? { Client: options.pgClient } : {}),
    },
  };
}

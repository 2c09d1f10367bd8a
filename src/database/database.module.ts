import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { databaseUnavailableCode } from '../common/database/pg-errors.js';
import { rateLimited } from '../common/logging/log-rate-limiter.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { RuntimeConfig } from '../config/runtime-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseMetrics } from './database-metrics.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';
import { ServicePgClient, timedClientClass } from './timed-pg-client.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [RuntimeConfig, PINO_LOGGER, MetricsService],
      useFactory: async (config: RuntimeConfig, logger: Logger, metrics: MetricsService) => {
        await runMigrations(config.DATABASE_URL);
        return buildDataSourceOptions({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
          migrationsRun: false,
          // The server going away fails every idle connection at once: one line per interval.
          onPoolError: (err) => {
            const code = databaseUnavailableCode(err) ?? 'other';
            rateLimited(logger).error(`pool|${code}`, { code, err }, 'database connection lost');
          },
          // Timed only with metrics on; either way a client that survives losing its connection while checked out.
          pgClient: metrics.enabled ? timedClientClass((seconds, failed) => metrics.observeQuery(seconds, failed)) : ServicePgClient,
        });
      },
    }),
  ],
  providers: [DatabaseMetrics],
})
export class DatabaseModule {}

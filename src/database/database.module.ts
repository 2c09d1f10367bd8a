import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeConfig } from '../config/runtime-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseMetrics } from './database-metrics.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';
import { timedClientClass } from './timed-pg-client.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [RuntimeConfig, MetricsService],
      useFactory: async (config: RuntimeConfig, metrics: MetricsService) => {
        await runMigrations(config.DATABASE_URL);
        return buildDataSourceOptions({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          migrationsRun: false,
          // Only with metrics on: off, queries run on pg's own Client, untouched.
          pgClient: metrics.enabled ? timedClientClass((seconds, failed) => metrics.observeQuery(seconds, failed)) : undefined,
        });
      },
    }),
  ],
  providers: [DatabaseMetrics],
})
export class DatabaseModule {}

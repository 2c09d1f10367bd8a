import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { databaseUnavailableCode } from '../common/database/pg-errors.js';
import { rateLimited } from '../common/logging/log-rate-limiter.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { RuntimeConfig } from '../config/runtime-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [RuntimeConfig, PINO_LOGGER],
      useFactory: async (config: RuntimeConfig, logger: Logger) => {
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
        });
      },
    }),
  ],
})
export class DatabaseModule {}

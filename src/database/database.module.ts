import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not resolved (embedded PostgreSQL not started?)');
        await runMigrations(config.DATABASE_URL);
        return buildDataSourceOptions({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, migrationsRun: false });
      },
    }),
  ],
})
export class DatabaseModule {}

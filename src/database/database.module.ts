import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeConfig } from '../config/runtime-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [RuntimeConfig],
      useFactory: async (config: RuntimeConfig) => {
        await runMigrations(config.DATABASE_URL);
        return buildDataSourceOptions({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, migrationsRun: false });
      },
    }),
  ],
})
export class DatabaseModule {}

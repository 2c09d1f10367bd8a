import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { RuntimeConfig } from '../config/runtime-config.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Reports the pg pool behind TypeORM (size, idle, waiting) at every scrape. */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly config: RuntimeConfig,
  ) {}

  onModuleInit(): void {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (pool) this.metrics.watchPool(pool, this.config.DATABASE_POOL_SIZE);
  }
}

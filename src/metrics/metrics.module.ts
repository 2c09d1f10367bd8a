import { Global, Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { startMetricsServer, stopMetricsServer } from './metrics-server.js';
import { MetricsService } from './metrics.service.js';

/**
 * Makes MetricsService injectable everywhere and, when METRICS_PORT is set, serves it on its own
 * listener for the life of the application. A cluster worker serves nothing: the primary answers
 * scrapes with the sum of the workers' registries (bootstrap/cluster-primary.ts).
 */
@Global()
@Module({})
export class MetricsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** `serve`: false in the CLI's application context (metrics stay off whatever METRICS_PORT says). */
  static forRoot(config: AppConfig, serve: boolean): DynamicModule {
    const metrics = new MetricsService({ enabled: serve && config.METRICS_PORT !== undefined, tenantLabel: config.METRICS_TENANT_LABEL });
    return { module: MetricsModule, providers: [{ provide: MetricsService, useValue: metrics }], exports: [MetricsService] };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.metrics.enabled || this.config.METRICS_PORT === undefined || cluster.isWorker) return;
    this.server = await startMetricsServer({
      host: this.config.METRICS_HOST,
      port: this.config.METRICS_PORT,
      render: () => this.metrics.render(),
      logger: this.logger,
    });
  }

  /** Where the metrics listener is (METRICS_PORT=0 picks a free port), or null when it is off. */
  address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null | undefined) ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await stopMetricsServer(server);
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConsoleModule } from './console/console.module.js';
import { ConfigModule } from './config/config.module.js';
import type { RuntimeConfig } from './config/runtime-config.js';
import { DatabaseModule } from './database/database.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { GroupLicensesModule } from './groups/group-licenses.module.js';
import { HealthModule } from './health/health.module.js';
import { HousekeepingModule } from './housekeeping/housekeeping.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ScimModule } from './scim/scim.module.js';
import { SamlModule } from './saml/saml.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { TenancyModule } from './tenancy/tenancy.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  /**
   * `metrics`: the HTTP service collects and serves metrics (when METRICS_PORT is set); the CLI's
   * and tools' application contexts do not, so they never try to take the service's metrics port.
   */
  static forRoot(config: RuntimeConfig, logger: Logger, options: { metrics?: boolean } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, logger),
        MetricsModule.forRoot(config, options.metrics ?? false),
        DatabaseModule,
        AuditModule,
        UsersModule,
        GroupsModule,
        TenancyModule,
        AuthModule,
        SettingsModule,
        ScimModule,
        GroupLicensesModule,
        SamlModule,
        HealthModule,
        HousekeepingModule,
        ConsoleModule,
      ],
    };
  }
}

import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { OperatorController } from './operator.controller.js';
import { OperatorGuard } from './operator.guard.js';
import { SecuritySettingsRepository } from './security-settings.repository.js';
import { TenantDirectory } from './tenant-directory.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [UsersModule],
  controllers: [OperatorController],
  providers: [TenantsRepository, TenantDirectory, SecuritySettingsRepository, TenantsService, OperatorGuard],
  exports: [TenantsService, TenantDirectory, SecuritySettingsRepository],
})
export class TenancyModule {}

import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { SecuritySettingsController } from './security-settings.controller.js';
import { SecuritySettingsService } from './security-settings.service.js';

/** "System Settings > Security > SAML and SCIM": the read side; SAML and SCIM own their writes. */
@Module({
  imports: [TenancyModule],
  controllers: [SecuritySettingsController],
  providers: [SecuritySettingsService],
  exports: [SecuritySettingsService, TenancyModule],
})
export class SettingsModule {}

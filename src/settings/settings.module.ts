import { Module } from '@nestjs/common';
import { SamlModule } from '../saml/saml.module.js';
import { ScimModule } from '../scim/scim.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { SamlSettingsController } from './saml-settings.controller.js';
import { ScimSettingsController } from './scim-settings.controller.js';
import { SecuritySettingsController } from './security-settings.controller.js';
import { SecuritySettingsService } from './security-settings.service.js';

/**
 * "System Settings > Security > SAML and SCIM": the endpoints that answer with the whole settings
 * object. It sits above saml/ and scim/ (their services own the rules and build their halves);
 * neither of them imports it.
 */
@Module({
  imports: [TenancyModule, SamlModule, ScimModule],
  controllers: [SecuritySettingsController, SamlSettingsController, ScimSettingsController],
  providers: [SecuritySettingsService],
})
export class SettingsModule {}

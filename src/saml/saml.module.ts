import { Module, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { UsersModule } from '../users/users.module.js';
import { SamlLoginService } from './saml-login.service.js';
import { SamlReplayRepository } from './saml-replay.repository.js';
import { SamlReplayService } from './saml-replay.service.js';
import { SamlResponseValidator } from './saml-response.validator.js';
import { SamlSettingsController } from './saml-settings.controller.js';
import { SamlSettingsService } from './saml-settings.service.js';
import { SamlController } from './saml.controller.js';
import { registerXmlDsigAlgorithms } from './xmldsig-algorithms.js';

/** SAML 2.0 IdP-initiated sign-on: settings, certificates, ACS, metadata. */
@Module({
  imports: [AuthModule, SettingsModule, TenancyModule, UsersModule],
  controllers: [SamlController, SamlSettingsController],
  providers: [SamlLoginService, SamlResponseValidator, SamlReplayRepository, SamlReplayService, SamlSettingsService],
  exports: [SamlReplayService],
})
export class SamlModule implements OnModuleInit {
  onModuleInit(): void {
    // DSA-SHA256 verification and the SHA-1 refusal, on the xml-crypto copy node-saml uses.
    registerXmlDsigAlgorithms();
  }
}

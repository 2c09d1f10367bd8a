import { Module, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { UsersModule } from '../users/users.module.js';
import { MetadataFetcher } from './metadata-fetcher.js';
import { SamlLoginService } from './saml-login.service.js';
import { SamlMetadataRepository } from './saml-metadata.repository.js';
import { SamlMetadataService } from './saml-metadata.service.js';
import { SamlReplayRepository } from './saml-replay.repository.js';
import { SamlReplayService } from './saml-replay.service.js';
import { SamlResponseValidator } from './saml-response.validator.js';
import { SamlSettingsService } from './saml-settings.service.js';
import { SamlTrustRepository } from './saml-trust.repository.js';
import { SamlController } from './saml.controller.js';
import { registerXmlDsigAlgorithms } from './xmldsig-algorithms.js';

/**
 * SAML 2.0 IdP-initiated sign-on: ACS, metadata, certificates (uploaded, or kept current from the
 * IdP's metadata URL), and the SAML settings rules, whose endpoints settings/ serves with the
 * whole settings object.
 */
@Module({
  imports: [AuthModule, TenancyModule, UsersModule],
  controllers: [SamlController],
  providers: [
    SamlLoginService,
    SamlResponseValidator,
    SamlReplayRepository,
    SamlReplayService,
    SamlTrustRepository,
    SamlSettingsService,
    MetadataFetcher,
    SamlMetadataRepository,
    SamlMetadataService,
  ],
  exports: [SamlReplayService, SamlSettingsService, SamlMetadataService],
})
export class SamlModule implements OnModuleInit {
  onModuleInit(): void {
    // DSA-SHA256 verification and the SHA-1 refusal, on the xml-crypto copy node-saml uses.
    registerXmlDsigAlgorithms();
  }
}

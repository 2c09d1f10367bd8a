import { Module, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { UsersModule } from '../users/users.module.js';
import { SamlAuthnRequestRepository } from './saml-authn-request.repository.js';
import { MetadataFetcher } from './metadata-fetcher.js';
import { SamlLoginService } from './saml-login.service.js';
import { SamlMetadataRepository } from './saml-metadata.repository.js';
import { SamlMetadataService } from './saml-metadata.service.js';
import { SamlReplayRepository } from './saml-replay.repository.js';
import { SamlReplayService } from './saml-replay.service.js';
import { SamlResponseValidator } from './saml-response.validator.js';
import { SamlSettingsService } from './saml-settings.service.js';
import { SamlSignOnService } from './saml-sign-on.service.js';
import { SamlSpKeyRepository } from './saml-sp-key.repository.js';
import { SamlSpKeyService } from './saml-sp-key.service.js';
import { SamlTrustRepository } from './saml-trust.repository.js';
import { SamlController } from './saml.controller.js';
import { registerXmlDsigAlgorithms } from './xmldsig-algorithms.js';

/**
 * SAML 2.0 sign-on, IdP- and SP-initiated: ACS, login (AuthnRequest), metadata, the tenant's SP
 * keys, certificates (uploaded, or kept current from the IdP's metadata URL), and the SAML
 * settings rules, whose endpoints settings/ serves with the whole settings object.
 */
@Module({
  imports: [AuthModule, TenancyModule, UsersModule],
  controllers: [SamlController],
  providers: [
    SamlLoginService,
    SamlSignOnService,
    SamlResponseValidator,
    SamlReplayRepository,
    SamlReplayService,
    SamlAuthnRequestRepository,
    SamlTrustRepository,
    SamlSettingsService,
    SamlSpKeyRepository,
    SamlSpKeyService,
    MetadataFetcher,
    SamlMetadataRepository,
    SamlMetadataService,
  ],
  exports: [SamlReplayService, SamlSettingsService, SamlSpKeyService, SamlMetadataService],
})
export class SamlModule implements OnModuleInit {
  onModuleInit(): void {
    // DSA-SHA256 verification and the SHA-1 refusal, on the xml-crypto copy node-saml uses.
    registerXmlDsigAlgorithms();
  }
}

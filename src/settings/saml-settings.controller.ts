import { Body, Controller, HttpCode, Post, Put, Req } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { readCertificateUpload } from '../saml/certificate-upload-request.js';
import { UpdateSamlSettingsDto } from '../saml/dto/update-saml-settings.dto.js';
import { SamlMetadataService } from '../saml/saml-metadata.service.js';
import { SamlSettingsService } from '../saml/saml-settings.service.js';
import { SecuritySettingsService } from './security-settings.service.js';

/** System Settings > Security > SAML and SCIM: the SAML controls; saml/ changes them, the answer is the whole settings object. */
@ApiTags('settings')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant/settings/saml')
export class SamlSettingsController {
  constructor(
    private readonly saml: SamlSettingsService,
    private readonly metadata: SamlMetadataService,
    private readonly settings: SecuritySettingsService,
  ) {}

  @Put()
  async update(@CurrentAuth() auth: SessionAuth, @Body() body: UpdateSamlSettingsDto) {
    return this.settings.toView(auth.tenant.slug, await this.saml.update(auth.tenant, auth.user.email, body));
  }

  @Post('certificate')
  @HttpCode(200)
  async upload(@CurrentAuth() auth: SessionAuth, @Req() req: FastifyRequest) {
    return this.settings.toView(auth.tenant.slug, await this.saml.uploadCertificate(auth.tenant, auth.user.email, () => readCertificateUpload(req)));
  }

  /** Fetches the metadata URL now: 200 settings, or 502 metadata_unavailable with the reason (certificates unchanged). */
  @Post('metadata/refresh')
  @HttpCode(200)
  async refreshMetadata(@CurrentAuth() auth: SessionAuth) {
    return this.settings.toView(auth.tenant.slug, await this.metadata.refreshNow(auth.tenant, auth.user.email));
  }
}

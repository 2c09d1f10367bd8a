import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { UpdateScimSettingsDto } from '../scim/dto/update-scim-settings.dto.js';
import { ScimSettingsService } from '../scim/scim-settings.service.js';
import { SecuritySettingsService } from './security-settings.service.js';

/** System Settings > Security > SAML and SCIM: the SCIM controls (CONTRACT section 2); scim/ changes them, the answer is the whole settings object. */
@ApiTags('settings')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant/settings/scim')
export class ScimSettingsController {
  constructor(
    private readonly scim: ScimSettingsService,
    private readonly settings: SecuritySettingsService,
  ) {}

  @Put()
  async update(@CurrentAuth() auth: SessionAuth, @Body() body: UpdateScimSettingsDto) {
    return this.settings.toView(auth.tenant.slug, await this.scim.setEnabled(auth.tenant, body.enabled, auth.user.email));
  }

  @Post('token')
  @HttpCode(200)
  async regenerate(@CurrentAuth() auth: SessionAuth) {
    return this.settings.toView(auth.tenant.slug, await this.scim.regenerateToken(auth.tenant, auth.user.email));
  }
}

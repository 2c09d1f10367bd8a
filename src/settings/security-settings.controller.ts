import { Controller, Get } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { SecuritySettingsService } from './security-settings.service.js';

@ApiTags('settings')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant/settings')
export class SecuritySettingsController {
  constructor(private readonly settings: SecuritySettingsService) {}

  @Get('security')
  get(@CurrentAuth() auth: SessionAuth) {
    return this.settings.view(auth.tenant);
  }
}

import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module.js';
import { UsersModule } from '../users/users.module.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import { ScimDiscoveryController } from './scim-discovery.controller.js';
import { ScimRateLimiter } from './scim-rate-limiter.js';
import { ScimResponseInterceptor } from './scim-response.interceptor.js';
import { ScimSettingsController } from './scim-settings.controller.js';
import { ScimSettingsService } from './scim-settings.service.js';
import { ScimUnsupportedController } from './scim-unsupported.controller.js';
import { ScimUsersController } from './scim-users.controller.js';
import { ScimPageAnchorsRepository } from './scim-page-anchors.repository.js';
import { ScimUsersListService } from './scim-users-list.service.js';
import { ScimUsersService } from './scim-users.service.js';

/** SCIM 2.0 provisioning (CONTRACT section 4) and its settings (section 2), on the users module. */
@Module({
  imports: [UsersModule, SettingsModule],
  controllers: [ScimSettingsController, ScimUsersController, ScimDiscoveryController, ScimUnsupportedController],
  providers: [ScimUsersService, ScimUsersListService, ScimPageAnchorsRepository, ScimSettingsService, ScimAuthGuard, ScimRateLimiter, ScimResponseInterceptor],
  exports: [ScimUsersListService],
})
export class ScimModule {}

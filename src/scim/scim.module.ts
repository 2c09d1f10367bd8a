import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { UsersModule } from '../users/users.module.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import { ScimDiscoveryController } from './scim-discovery.controller.js';
import { ScimGroupsController } from './scim-groups.controller.js';
import { ScimGroupsService } from './scim-groups.service.js';
import { ScimGateCache } from './scim-gate-cache.js';
import { ScimGateListener } from './scim-gate-listener.js';
import { ScimGateRepository } from './scim-gate.repository.js';
import { ScimRateLimiter } from './scim-rate-limiter.js';
import { ScimSettingsService } from './scim-settings.service.js';
import { ScimUnsupportedController } from './scim-unsupported.controller.js';
import { ScimUsersController } from './scim-users.controller.js';
import { ScimPageAnchorsRepository } from './scim-page-anchors.repository.js';
import { ScimUsersListService } from './scim-users-list.service.js';
import { ScimUsersService } from './scim-users.service.js';

/**
 * SCIM 2.0 provisioning (CONTRACT section 4), on the users and groups modules, and the SCIM settings rules
 * (section 2), whose endpoints settings/ serves with the whole settings object.
 */
@Module({
  imports: [UsersModule, GroupsModule, TenancyModule],
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController, ScimUnsupportedController],
  providers: [
    ScimUsersService,
    ScimUsersListService,
    ScimGroupsService,
    ScimPageAnchorsRepository,
    ScimGateRepository,
    ScimGateCache,
    ScimGateListener,
    ScimSettingsService,
    ScimAuthGuard,
    ScimRateLimiter,
  ],
  exports: [ScimUsersListService, ScimSettingsService],
})
export class ScimModule {}

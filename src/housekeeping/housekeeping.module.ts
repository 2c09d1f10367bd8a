import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SamlModule } from '../saml/saml.module.js';
import { ScimModule } from '../scim/scim.module.js';
import { HousekeepingService } from './housekeeping.service.js';

/** The periodic purges of every module, on one timer (it sits above the modules it cleans for). */
@Module({
  imports: [AuthModule, SamlModule, ScimModule],
  providers: [HousekeepingService],
})
export class HousekeepingModule {}

import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { GroupsRepository } from './groups.repository.js';
import { GroupsService } from './groups.service.js';

/** Groups and memberships (tables groups, group_members): SCIM pushes them; GroupsService is the only writer. */
@Module({
  imports: [UsersModule],
  providers: [GroupsRepository, GroupsService],
  exports: [GroupsService],
})
export class GroupsModule {}

import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { GroupLicensesRepository } from './group-licenses.repository.js';
import { GroupLicensesService } from './group-licenses.service.js';
import { GroupsAdminController } from './groups-admin.controller.js';

/** Group licenses and the admin API over groups (System Settings > Groups). */
@Module({
  imports: [UsersModule],
  controllers: [GroupsAdminController],
  providers: [GroupLicensesRepository, GroupLicensesService],
})
export class GroupLicensesModule {}

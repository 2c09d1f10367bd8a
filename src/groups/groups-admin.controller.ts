import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import { PageQueryDto } from '../common/http/page-query.dto.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { toUserView } from '../users/user.view.js';
import { ListGroupsQueryDto } from './dto/list-groups-query.dto.js';
import { UpdateGroupLicensesDto } from './dto/update-group-licenses.dto.js';
import { GroupLicensesService } from './group-licenses.service.js';
import { toGroupView } from './group.view.js';

/** System Settings > Groups: the groups SCIM provisioned, their members, and their licenses. */
@ApiTags('groups')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant/groups')
export class GroupsAdminController {
  constructor(private readonly groups: GroupLicensesService) {}

  @Get()
  async list(@CurrentAuth() auth: SessionAuth, @Query() query: ListGroupsQueryDto) {
    const { items, total } = await this.groups.list(auth.tenant.id, { search: query.search, offset: query.offset ?? 0, limit: query.limit ?? 50 });
    return { items: items.map(toGroupView), total };
  }

  @Get(':id/members')
  async members(@CurrentAuth() auth: SessionAuth, @Param('id') id: string, @Query() query: PageQueryDto) {
    const { items, total } = await this.groups.members(auth.tenant.id, id, query.offset ?? 0, query.limit ?? 50);
    return { items: items.map(toUserView), total };
  }

  @Patch(':id')
  async setLicenses(@CurrentAuth() auth: SessionAuth, @Param('id') id: string, @Body() body: UpdateGroupLicensesDto) {
    return toGroupView(await this.groups.setLicenses(auth.tenant.id, id, body.licenses, auth.user.email));
  }
}

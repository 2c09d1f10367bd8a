import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { LICENSES } from './licenses.js';
import { toUserView } from './user.view.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('users')
  async list(@CurrentAuth() auth: SessionAuth, @Query() query: ListUsersQueryDto) {
    const [{ items, total }, activeWithoutLicenses] = await Promise.all([
      this.users.list(auth.tenant.id, { search: query.search, offset: query.offset ?? 0, limit: query.limit ?? 50 }),
      // For the User List banner: SCIM assigns no licenses, so admins need to see who still has none.
      this.users.countActiveWithoutLicenses(auth.tenant.id),
    ]);
    return { items: items.map(toUserView), total, activeWithoutLicenses };
  }

  @Get('users/:id')
  async get(@CurrentAuth() auth: SessionAuth, @Param('id') id: string) {
    return toUserView(await this.users.getOrThrow(auth.tenant.id, id));
  }

  @Post('users')
  @HttpCode(201)
  async create(@CurrentAuth() auth: SessionAuth, @Body() body: CreateUserDto) {
    return toUserView(await this.users.createManual(auth.tenant.id, body, auth.user.email));
  }

  @Patch('users/:id')
  async update(@CurrentAuth() auth: SessionAuth, @Param('id') id: string, @Body() body: UpdateUserDto) {
    return toUserView(await this.users.update(auth.tenant.id, id, body, auth.user.email));
  }

  @Get('licenses')
  licenses() {
    return LICENSES.map((l) => ({ key: l.key, name: l.name }));
  }
}

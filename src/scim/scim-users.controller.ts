import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import type { ScimTenant } from './scim-request.js';
import { ScimResponseInterceptor } from './scim-response.interceptor.js';
import { CurrentScimTenant } from './scim-tenant.decorator.js';
import { ScimUsersListService, type ScimListQuery } from './scim-users-list.service.js';
import { ScimUsersService } from './scim-users.service.js';
import type { ScimUser } from './wire/scim-user.js';

/** RFC 7644 /Users for identity providers. Public to the session guard: the SCIM gate authenticates. */
@ApiTags('scim')
@ApiBearerAuth()
@Public()
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimResponseInterceptor)
@Controller('scim/v2/:tenant/Users')
export class ScimUsersController {
  constructor(
    private readonly scim: ScimUsersService,
    private readonly listing: ScimUsersListService,
  ) {}

  @Get()
  list(@CurrentScimTenant() tenant: ScimTenant, @Query() query: ScimListQuery) {
    return this.listing.list(tenant, query);
  }

  @Get(':id')
  async get(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.scim.get(tenant, id));
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentScimTenant() tenant: ScimTenant, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const user = await this.scim.create(tenant, body);
    void reply.header('location', user.meta.location);
    return withEtag(reply, user);
  }

  @Put(':id')
  async replace(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.scim.replace(tenant, id, body, ifMatch));
  }

  @Patch(':id')
  async patch(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.scim.patch(tenant, id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.scim.remove(tenant, id, ifMatch);
    void reply.removeHeader('content-type'); // 204: no body, so no media type (RFC 9110 §8.3)
  }
}

function withEtag(reply: FastifyReply, user: ScimUser): ScimUser {
  void reply.header('etag', user.meta.version);
  return user;
}

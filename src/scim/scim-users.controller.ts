import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import type { ScimTenant } from './scim-request.js';
import { CurrentScimTenant } from './scim-tenant.decorator.js';
import { ScimUsersListService, type ScimListQuery } from './scim-users-list.service.js';
import { ScimUsersService } from './scim-users.service.js';
import { parseScimProjection, projectList, projectResource, type ScimProjection, type ScimProjectionQuery } from './wire/scim-attributes.js';
import type { ScimUser } from './wire/scim-user.js';

/** RFC 7644 /Users for identity providers. Public to the session guard: the SCIM gate authenticates. */
@ApiTags('scim')
@ApiBearerAuth()
@Public()
@UseGuards(ScimAuthGuard)
@Controller('scim/v2/:tenant/Users')
export class ScimUsersController {
  constructor(
    private readonly scim: ScimUsersService,
    private readonly listing: ScimUsersListService,
  ) {}

  @Get()
  async list(@CurrentScimTenant() tenant: ScimTenant, @Query() query: ScimListQuery & ScimProjectionQuery) {
    const projection = parseScimProjection(query);
    return projectList(await this.listing.list(tenant, query), projection);
  }

  @Get(':id')
  async get(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string, @Query() query: ScimProjectionQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const projection = parseScimProjection(query);
    return withEtag(reply, await this.scim.get(tenant, id), projection);
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentScimTenant() tenant: ScimTenant, @Body() body: unknown, @Query() query: ScimProjectionQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const projection = parseScimProjection(query);
    const user = await this.scim.create(tenant, body);
    void reply.header('location', user.meta.location);
    return withEtag(reply, user, projection);
  }

  @Put(':id')
  async replace(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: ScimProjectionQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const projection = parseScimProjection(query);
    return withEtag(reply, await this.scim.replace(tenant, id, body, ifMatch), projection);
  }

  @Patch(':id')
  async patch(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: ScimProjectionQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const projection = parseScimProjection(query);
    return withEtag(reply, await this.scim.patch(tenant, id, body, ifMatch), projection);
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

/** The ETag header of the user, and its body as the request's attributes / excludedAttributes project it. */
function withEtag(reply: FastifyReply, user: ScimUser, projection: ScimProjection): Partial<ScimUser> {
  void reply.header('etag', user.meta.version);
  return projectResource(user, projection);
}

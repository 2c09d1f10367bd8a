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

/**
 * RFC 7644 /Users for identity providers. Public to the session guard: the SCIM gate authenticates.
 *
 * GET /Users and GET /Users/{id} are declared here (the routes, their policy, the API docs) but
 * served by plain Fastify handlers (scim-native-reads.ts) that call the same gate and the same
 * functions below: a userName lookup is every provisioning cycle's hot path, and Nest's per-request
 * pipeline (guards, parameter pipes, the execution context) cost more CPU than the lookup's own
 * work. Give these two methods no guard, pipe, interceptor or decorator the native handlers lack:
 * test/e2e/scim/scim-native-reads.e2e-spec.ts compares the two paths byte for byte.
 */
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
  list(@CurrentScimTenant() tenant: ScimTenant, @Query() query: ScimListQuery & ScimProjectionQuery) {
    return listUsers(this.listing, tenant, query);
  }

  @Get(':id')
  get(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string, @Query() query: ScimProjectionQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return getUser(this.scim, reply, tenant, id, query);
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

/** GET /Users: a ListResponse page, projected (the Nest route and the native handler both answer with this). */
export async function listUsers(listing: ScimUsersListService, tenant: ScimTenant, query: ScimListQuery & ScimProjectionQuery): ReturnType<ScimUsersListService['list']> {
  const projection = parseScimProjection(query);
  return projectList(await listing.list(tenant, query), projection);
}

/** GET /Users/{id}: the user, projected, with its ETag (the Nest route and the native handler both answer with this). */
export async function getUser(scim: ScimUsersService, reply: FastifyReply, tenant: ScimTenant, id: string, query: ScimProjectionQuery): Promise<Partial<ScimUser>> {
  const projection = parseScimProjection(query);
  return withEtag(reply, await scim.get(tenant, id), projection);
}

/** The ETag header of the user, and its body as the request's attributes / excludedAttributes project it. */
function withEtag(reply: FastifyReply, user: ScimUser, projection: ScimProjection): Partial<ScimUser> {
  void reply.header('etag', user.meta.version);
  return projectResource(user, projection);
}

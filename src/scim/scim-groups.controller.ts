import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { Public } from '../common/decorators/public.decorator.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import { ScimGroupsService, type ScimGroupBody, type ScimGroupListQuery } from './scim-groups.service.js';
import type { ScimTenant } from './scim-request.js';
import { CurrentScimTenant } from './scim-tenant.decorator.js';
import { parseScimProjection, projectionAsked, type ScimProjectionQuery } from './wire/scim-attributes.js';
import { groupEtag } from './wire/scim-group.js';
import { SCIM_CONTENT_TYPE } from './wire/scim-schemas.js';

/**
 * RFC 7644 /Groups for identity providers (CONTRACT §4 Groups). Bodies are streamed: a group's
 * members are written as they are read, so a 100,000-member group is never one array in memory.
 * `attributes` / `excludedAttributes` are read before anything is done (a malformed one is a 400
 * before a write, not after it).
 */
@ApiTags('scim')
@ApiBearerAuth()
@Public()
@UseGuards(ScimAuthGuard)
@Controller('scim/v2/:tenant/Groups')
export class ScimGroupsController {
  constructor(private readonly scim: ScimGroupsService) {}

  @Get()
  async list(@CurrentScimTenant() tenant: ScimTenant, @Query() query: ScimGroupListQuery & ScimProjectionQuery) {
    return stream(await this.scim.list(tenant, query, parseScimProjection(query)));
  }

  @Get(':id')
  async get(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string, @Query() query: ScimProjectionQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.scim.get(tenant, id, parseScimProjection(query)));
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentScimTenant() tenant: ScimTenant, @Body() body: unknown, @Query() query: ScimProjectionQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const projection = parseScimProjection(query);
    const out = this.scim.body(tenant, await this.scim.create(tenant, body), projection);
    void reply.header('location', out.location);
    return send(reply, out);
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
    return send(reply, this.scim.body(tenant, await this.scim.replace(tenant, id, body, ifMatch), projection));
  }

  /**
   * 204 as Entra and Okta expect; 200 with the group when the client asks for attributes. The
   * status depends on the request, so this handler answers itself (Nest would impose one code).
   */
  @Patch(':id')
  async patch(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: ScimProjectionQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const projection = parseScimProjection(query);
    const group = await this.scim.patch(tenant, id, body, ifMatch);
    if (projectionAsked(query)) {
      const out = this.scim.body(tenant, group, projection);
      void reply.status(200).header('etag', out.etag).send(out.body);
      return;
    }
    void reply.status(204).header('etag', groupEtag(group.version)).removeHeader('content-type').send();
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentScimTenant() tenant: ScimTenant,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.scim.delete(tenant, id, ifMatch);
    void reply.removeHeader('content-type'); // 204: no body, so no media type (RFC 9110 §8.3)
  }
}

function stream(body: Readable): StreamableFile {
  return new StreamableFile(body, { type: SCIM_CONTENT_TYPE });
}

function send(reply: FastifyReply, out: ScimGroupBody): StreamableFile {
  void reply.header('etag', out.etag);
  return stream(out.body);
}

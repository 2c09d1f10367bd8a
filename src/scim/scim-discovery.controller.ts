import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { PublicUrls } from '../config/public-urls.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import type { ScimTenant } from './scim-request.js';
import { CurrentScimTenant } from './scim-tenant.decorator.js';
import { groupResourceType, groupSchema, serviceProviderConfig, userResourceType, userSchema } from './wire/scim-discovery.js';
import { ScimException } from './wire/scim-exception.js';
import { listResponse } from './wire/scim-list-response.js';
import { SCIM_GROUP_SCHEMA, SCIM_USER_SCHEMA } from './wire/scim-schemas.js';

/**
 * RFC 7644 §4 discovery. Behind the same gate as /Users: Entra and Okta call these with the token,
 * and a tenant's URL space then answers nothing to strangers. Query parameters are ignored (§4).
 */
@ApiTags('scim')
@ApiBearerAuth()
@Public()
@UseGuards(ScimAuthGuard)
@Controller('scim/v2/:tenant')
export class ScimDiscoveryController {
  constructor(
    private readonly config: AppConfig,
    private readonly urls: PublicUrls,
  ) {}

  @Get('ServiceProviderConfig')
  serviceProviderConfig(@CurrentScimTenant() tenant: ScimTenant) {
    return serviceProviderConfig(this.base(tenant), this.config.SCIM_CURSOR_TIMEOUT_SECONDS);
  }

  @Get('ResourceTypes')
  resourceTypes(@CurrentScimTenant() tenant: ScimTenant) {
    return listResponse([userResourceType(this.base(tenant)), groupResourceType(this.base(tenant))], 2);
  }

  @Get('ResourceTypes/:id')
  resourceType(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string) {
    if (id === 'Group') return groupResourceType(this.base(tenant));
    if (id !== 'User') throw new ScimException(404, undefined, `No resource type ${id}; this service provider serves User and Group`);
    return userResourceType(this.base(tenant));
  }

  @Get('Schemas')
  schemas(@CurrentScimTenant() tenant: ScimTenant) {
    return listResponse([userSchema(this.base(tenant)), groupSchema(this.base(tenant))], 2);
  }

  @Get('Schemas/:id')
  schema(@CurrentScimTenant() tenant: ScimTenant, @Param('id') id: string) {
    if (id === SCIM_GROUP_SCHEMA) return groupSchema(this.base(tenant));
    if (id !== SCIM_USER_SCHEMA) throw new ScimException(404, undefined, `No schema ${id}; this service provider serves ${SCIM_USER_SCHEMA} and ${SCIM_GROUP_SCHEMA}`);
    return userSchema(this.base(tenant));
  }

  private base(tenant: ScimTenant): string {
    return this.urls.scimBase(tenant.slug);
  }
}

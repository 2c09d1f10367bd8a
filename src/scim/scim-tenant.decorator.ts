import { createParamDecorator, InternalServerErrorException, type ExecutionContext } from '@nestjs/common';
import type { ScimRequest, ScimTenant } from './scim-request.js';

/** The tenant admitted by ScimAuthGuard (never held in a shared field: it travels with the request). */
export const CurrentScimTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): ScimTenant => {
  const tenant = ctx.switchToHttp().getRequest<ScimRequest>().scimTenant;
  if (!tenant) throw new InternalServerErrorException('CurrentScimTenant used on a route without ScimAuthGuard');
  return tenant;
});

import { createParamDecorator, InternalServerErrorException, type ExecutionContext } from '@nestjs/common';
import type { LatchkeyRequest, SessionAuth } from '../http/request-context.js';

/** The signed-in user's tenant, user and session, as resolved by the session guard. */
export const CurrentAuth = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionAuth => {
  const auth = ctx.switchToHttp().getRequest<LatchkeyRequest>().auth;
  if (!auth) throw new InternalServerErrorException('CurrentAuth used on a route without a session');
  return auth;
});

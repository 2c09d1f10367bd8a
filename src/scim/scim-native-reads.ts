import type { INestApplicationContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { ScimAuthGuard } from './scim-auth.guard.js';
import type { ScimRequest, ScimTenant } from './scim-request.js';
import { getUser, listUsers } from './scim-users.controller.js';
import { ScimUsersListService, type ScimListQuery } from './scim-users-list.service.js';
import { ScimUsersService } from './scim-users.service.js';
import type { ScimProjectionQuery } from './wire/scim-attributes.js';

/**
 * The SCIM reads an identity provider makes on every provisioning cycle (GET /Users?filter=userName
 * eq …, GET /Users/{id}) as plain Fastify handlers, keyed by "METHOD pattern" as Nest registers the
 * routes of ScimUsersController: createApp puts them in place of Nest's handlers for those routes
 * (Fastify's onRoute hook), so the route, its policy, hooks and docs stay Nest's.
 *
 * They do what Nest's pipeline does for these routes and nothing else: the SCIM gate
 * (ScimAuthGuard.admit, the guard's own check; the global session guard passes @Public routes),
 * the path and query parameters as Fastify parsed them (what @Param and @Query hand over: the
 * global ValidationPipe leaves interface-typed parameters alone), the controller's own functions,
 * and failures rendered by sendFailure on the reply as it stands, as AllExceptionsFilter renders
 * them (not through Fastify's error handler, which drops the headers already set first). A lookup
 * costs 5–10 % less CPU this way (README, Performance).
 */
export function scimNativeReads(app: INestApplicationContext, fail: FailureRenderer): ReadonlyMap<string, RouteHandlerMethod> {
  const gate = app.get(ScimAuthGuard, { strict: false });
  const listing = app.get(ScimUsersListService, { strict: false });
  const users = app.get(ScimUsersService, { strict: false });

  async function admitted(request: FastifyRequest): Promise<ScimTenant> {
    const scim = request as ScimRequest;
    if (!scim.scimTenant) await gate.admit(scim);
    return scim.scimTenant!;
  }

  /** As Nest's route does: the handler's failure rendered on the reply as it stands (AllExceptionsFilter). */
  function handler(answer: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): RouteHandlerMethod {
    return async (request, reply) => {
      try {
        return await answer(request, reply);
      } catch (err) {
        fail(request, reply, err);
        return reply;
      }
    };
  }

  return new Map<string, RouteHandlerMethod>([
    ['GET /scim/v2/:tenant/Users', handler(async (request) => listUsers(listing, await admitted(request), request.query as ScimListQuery & ScimProjectionQuery))],
    [
      'GET /scim/v2/:tenant/Users/:id',
      handler(async (request, reply) => getUser(users, reply, await admitted(request), (request.params as { id: string }).id, request.query as ScimProjectionQuery)),
    ],
  ]);
}

/** Renders a failure on the reply in the URL space's wire format (create-app's sendFailure with its formatters). */
export type FailureRenderer = (request: FastifyRequest, reply: FastifyReply, error: unknown) => void;

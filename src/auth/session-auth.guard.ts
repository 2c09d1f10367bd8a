import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../common/decorators/public.decorator.js';
import { REQUIRED_ROLE } from '../common/decorators/roles.decorator.js';
import { ApiException } from '../common/http/api-exception.js';
import type { LatchkeyRequest, SessionAuth } from '../common/http/request-context.js';
import type { UserRole } from '../users/user.entity.js';
import { SESSION_COOKIE } from './session-policy.js';
import { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session of a request on /api/t/{tenant}/…, with the CSRF token for writes: the one check
 * behind both the global guard and the hook that authenticates large uploads before their body
 * is read. Throws 401 `unauthenticated` or 403 `csrf`.
 */
export async function authenticateSession(sessions: SessionsService, request: LatchkeyRequest): Promise<SessionAuth> {
  const slug = (request.params as Record<string, string | undefined> | undefined)?.tenant;
  const token = request.cookies?.[SESSION_COOKIE];
  const auth = slug && token ? await sessions.authenticate(slug, token) : null;
  if (!auth) throw new ApiException(401, 'unauthenticated', 'Sign in first');
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers['x-csrf-token'];
    if (!sessions.verifyCsrf(auth, Array.isArray(header) ? header[0] : header)) {
      throw new ApiException(403, 'csrf', 'Missing or wrong X-CSRF-Token header (use the csrfToken from sign-in or /me)');
    }
  }
  return auth;
}

/** 403 `forbidden` unless the signed-in user has the role a route requires. */
export function assertRole(auth: SessionAuth, role: UserRole | undefined): void {
  if (role && auth.user.role !== role) {
    throw new ApiException(403, 'forbidden', 'Only a System Admin can do this');
  }
}

/**
 * The global guard: every route needs a live session on its tenant unless marked @Public().
 * Then CSRF for writes, then the role the route requires.
 */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<LatchkeyRequest>();
    // Already authenticated when the route's body is large (see create-app's route policy).
    const auth = request.auth ?? (await authenticateSession(this.sessions, request));
    assertRole(auth, this.reflector.getAllAndOverride<UserRole | undefined>(REQUIRED_ROLE, targets));
    request.auth = auth;
    return true;
  }
}

import type { FastifyRequest } from 'fastify';
import type { SignInMethod, UserRole } from '../../contract/api-views.js';

export type { SignInMethod };

/**
 * The signed-in user as code outside users/ may rely on. Structural, so common/ imports no
 * feature: the session guard puts the users module's entity here, and the one handler that needs
 * the whole entity (auth's /me) says so with `SessionAuth<UserEntity>`.
 */
export interface SessionUser {
  id: string;
  email: string;
  role: UserRole;
}

export interface SessionTenant {
  id: string;
  slug: string;
  name: string;
}

/** What the session guard establishes for a signed-in request. */
export interface SessionAuth<User extends SessionUser = SessionUser> {
  tenant: SessionTenant;
  user: User;
  method: SignInMethod;
  tokenHash: Buffer;
  csrfToken: string;
}

export interface LatchkeyRequest extends FastifyRequest {
  auth?: SessionAuth;
}

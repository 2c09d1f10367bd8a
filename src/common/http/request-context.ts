import type { FastifyRequest } from 'fastify';
import type { TenantEntity } from '../../tenancy/tenant.entity.js';
import type { UserEntity } from '../../users/user.entity.js';

export type SignInMethod = 'password' | 'saml';

/** What the session guard establishes for a signed-in request. */
export interface SessionAuth {
  tenant: Pick<TenantEntity, 'id' | 'slug' | 'name'>;
  user: UserEntity;
  method: SignInMethod;
  tokenHash: Buffer;
  csrfToken: string;
}

export interface LatchkeyRequest extends FastifyRequest {
  auth?: SessionAuth;
}

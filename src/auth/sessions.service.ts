import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KeyRing } from '../common/crypto/key-ring.js';
import { constantTimeEquals, hmacSha256, newToken, sha256 } from '../common/crypto/tokens.js';
import type { SessionAuth, SignInMethod } from '../common/http/request-context.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { UsersService } from '../users/users.service.js';
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS, SESSION_TOUCH_SECONDS } from './session-policy.js';
import { SessionsRepository } from './sessions.repository.js';

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  /** When the user signed in (now stored as their last sign-in). */
  signedInAt: Date;
}

/**
 * Server-side sessions shared by every instance through PostgreSQL. The cookie carries a random
 * 256-bit token; only its SHA-256 is stored. The CSRF token is an HMAC of the session token, so
 * it needs no storage and changes with every session.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  private readonly csrfKey: Buffer;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    private readonly tenants: TenantDirectory,
    keys: KeyRing,
  ) {
    this.csrfKey = keys.key('csrf');
  }

  onModuleInit(): void {
    // Deactivating a user ends their sessions in the same transaction.
    this.users.onDeactivation((tenantId, userId, manager) => this.sessions.deleteForUser(tenantId, userId, manager));
  }

  /** Opens a session for a user who proved who they are, and stamps their last sign-in. */
  async create(tenantId: string, userId: string, method: SignInMethod): Promise<NewSession> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + SESSION_ABSOLUTE_SECONDS * 1000);
    await this.sessions.insert({ tenantId, tokenHash: sha256(token), userId, method, expiresAt });
    // The users module owns the users table: the sign-in is stamped there (a second statement;
    // the session row is the one that matters if the stamp ever failed).
    const signedInAt = await this.users.stampSignIn(tenantId, userId);
    return { token, csrfToken: this.csrfFor(token), expiresAt, signedInAt };
  }

  /** Resolves a cookie on a tenant's URL to the signed-in, still active user; null otherwise. */
  async authenticate(tenantSlug: string, token: string): Promise<SessionAuth | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const tenant = await this.tenants.resolve(tenantSlug);
    if (!tenant) return null;
    const tokenHash = sha256(token);
    const session = await this.sessions.findLiveWithUser(tenant.id, tokenHash, SESSION_IDLE_SECONDS);
    if (!session || !session.user.active) return null;
    if (Date.now() - session.lastSeenAt.getTime() > SESSION_TOUCH_SECONDS * 1000) {
      await this.sessions.touch(tenant.id, tokenHash);
    }
    return {
      tenant,
      user: session.user,
      method: session.method,
      tokenHash,
      csrfToken: this.csrfFor(token),
    };
  }

  verifyCsrf(auth: SessionAuth, presented: string | undefined): boolean {
    return typeof presented === 'string' && presented.length > 0 && constantTimeEquals(presented, auth.csrfToken);
  }

  end(tenantId: string, tokenHash: Buffer): Promise<void> {
    return this.sessions.delete(tenantId, tokenHash);
  }


  private csrfFor(token: string): string {
    return hmacSha256(this.csrfKey, token).toString('base64url');
  }

  /** Removes sessions past their idle or absolute expiry (housekeeping); returns how many. */
  purgeExpired(): Promise<number> {
    return this.sessions.purgeExpired(SESSION_IDLE_SECONDS);
  }
}

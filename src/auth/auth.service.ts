import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { ApiException } from '../common/http/api-exception.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { SessionsService, type NewSession } from './sessions.service.js';

export interface LoginResult {
  user: UserEntity;
  session: NewSession;
}

const INVALID = 'The email or password is not correct';

@Injectable()
export class AuthService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly settings: SecuritySettingsRepository,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * What the login page shows before anyone signs in. `ssoLoginUrl` (contract v2, additive): the
   * path of SP-initiated sign-on, when SAML is on and the IdP's SSO URL is known; else null.
   */
  async options(slug: string): Promise<{ tenantName: string; samlEnabled: boolean; samlEnforced: boolean; ssoLoginUrl: string | null }> {
    const tenant = await this.tenants.getBySlugOrThrow(slug);
    const s = await this.settings.get(tenant.id);
    return {
      tenantName: tenant.name,
      samlEnabled: s.samlEnabled,
      samlEnforced: s.samlEnabled && s.samlEnforceLogin,
      ssoLoginUrl: s.samlEnabled && s.samlIdpSsoUrl ? `/saml/${tenant.slug}/login` : null,
    };
  }

  /**
   * Password sign-in. Unknown email, wrong password and no password set give the same answer
   * in about the same time; the precise reason goes to the audit log only.
   */
  async login(slug: string, email: string, password: string, ip: string): Promise<LoginResult> {
    const tenant = await this.tenants.getBySlugOrThrow(slug);
    const s = await this.settings.get(tenant.id);
    // Failures from one address with one reason coalesce into one audit row per minute (the
    // email tried is the attacker's choice, so it is not part of the key).
    const fail = (reason: string) =>
      this.audit.record(tenant.id, { kind: 'auth', action: 'login.password', actor: email, target: email, outcome: 'failure', reason, source: ip });

    // Counted first, whatever happens next: with Enforce SAML Login on, attempts are refused
    // but still throttled, so a client cannot write an audit row per request forever.
    const ticket = await this.throttle.reserve(tenant.id, email, ip);
    if (s.samlEnabled && s.samlEnforceLogin) {
      await fail('Enforce SAML Login is on');
      throw new ApiException(403, 'saml_enforced', 'This organization requires single sign-on. Sign in from your identity provider.');
    }

    const user = await this.users.findByEmail(tenant.id, email);
    const ok = user?.passwordHash ? await this.hasher.verify(password, user.passwordHash) : await this.hasher.verifyDummy(password);
    if (!user || !ok) {
      await fail(!user ? 'unknown email' : user.passwordHash ? 'wrong password' : 'no password set');
      throw new ApiException(401, 'invalid_credentials', INVALID);
    }
    await this.throttle.succeeded(ticket);
    if (!user.active) {
      if (user.scimRemovedAt) {
        await fail('user was removed by the identity provider');
        throw new ApiException(403, 'inactive', 'This account was removed by your identity provider. Ask your administrator to assign you to this application again.');
      }
      await fail('user is deactivated');
      throw new ApiException(403, 'inactive', 'This account is deactivated. Ask your System Admin to reactivate it.');
    }
    const session = await this.signIn(tenant.id, user, 'password');
    await this.audit.record(tenant.id, { kind: 'auth', action: 'login.password', actor: user.email, target: user.email, outcome: 'success' });
    return { user, session };
  }

  /** Opens a session for a user who has proven who they are (password or SAML). */
  async signIn(tenantId: string, user: UserEntity, method: 'password' | 'saml'): Promise<NewSession> {
    const session = await this.sessions.create(tenantId, user.id, method);
    user.lastLoginAt = session.signedInAt;
    return session;
  }

  async logout(tenantId: string, tokenHash: Buffer, email: string): Promise<void> {
    await this.sessions.end(tenantId, tokenHash);
    await this.audit.record(tenantId, { kind: 'auth', action: 'logout', actor: email, target: email, outcome: 'success' });
  }
}

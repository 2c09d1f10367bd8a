import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { LoginThrottleService, type ThrottleAdmission } from '../auth/login-throttle.service.js';
import { databaseUnavailableCode } from '../common/database/pg-errors.js';
import { rateLimited } from '../common/logging/log-rate-limiter.js';
import type { NewSession } from '../auth/sessions.service.js';
import { AppConfig } from '../config/app-config.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { PublicUrls } from '../config/public-urls.js';
import { ApiException } from '../common/http/api-exception.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TenantDirectory, type TenantRef } from '../tenancy/tenant-directory.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { safeRelayPath } from './relay-state.js';
import { SamlAuthnRequestRepository } from './saml-authn-request.repository.js';
import { SamlSpKeyService } from './saml-sp-key.service.js';
import { publishedKeys } from './sp-key-set.js';
import { serviceProviderMetadata } from './sp-metadata.js';
import type { SamlIdentity } from './saml-identity.js';
import { SamlReplayService } from './saml-replay.service.js';
import { SamlResponseValidator } from './saml-response.validator.js';
import { SamlTrustRepository } from './saml-trust.repository.js';
import { SamlErrorCode, SamlException } from './saml.exception.js';
import { lookupKeys } from './wire/saml-claims.js';

export interface AcsForm {
  SAMLResponse?: unknown;
  RelayState?: unknown;
}

export interface SamlSignIn {
  session: NewSession;
  location: string;
  user: UserEntity;
}

/**
 * IdP-initiated sign-on at a tenant's ACS: validate, refuse replays, find the active user, open a
 * session. Every attempt lands in the audit log with its precise reason; the SAMLResponse never
 * does, nor in the log.
 */
@Injectable()
export class SamlLoginService {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly trusts: SamlTrustRepository,
    private readonly urls: PublicUrls,
    private readonly validator: SamlResponseValidator,
    private readonly replay: SamlReplayService,
    private readonly authnRequests: SamlAuthnRequestRepository,
    private readonly spKeys: SamlSpKeyService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottleService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** The tenant of an ACS or metadata URL; a 404 page otherwise. */
  async tenant(slug: string): Promise<TenantRef> {
    const tenant = await this.tenants.resolve(slug);
    if (!tenant) throw new SamlException(SamlErrorCode.TenantNotFound, `no tenant "${slug.slice(0, 60)}"`);
    return tenant;
  }

  /** The tenant's SP metadata; a tenant with SAML on always has an SP key to publish (made on first need). */
  async metadata(slug: string): Promise<string> {
    const tenant = await this.tenant(slug);
    const trust = await this.trusts.findTrust(tenant.id);
    const keys = trust?.samlEnabled ? await this.spKeys.ensure(tenant, trust.spKeys) : (trust?.spKeys ?? []);
    return serviceProviderMetadata(this.urls.acs(tenant.slug), publishedKeys(keys).map((k) => k.certPem));
  }

  async signIn(slug: string, form: AcsForm, requestId: string, clientIp: string): Promise<SamlSignIn> {
    // The tenant (from the directory) and its trust settings by tenant_id: one query on the hot
    // path of a Monday 9:00.
    const tenant = await this.tenants.resolve(slug);
    const trust = tenant ? await this.trusts.findTrust(tenant.id) : null;
    // No tenant, or SAML off: nothing is read from the body, and only the log hears of it (anyone
    // can post here; an audit row per post would let them grow the admins' log at will).
    if (!tenant || !trust || !trust.samlEnabled) {
      const err = !tenant || !trust
        ? new SamlException(SamlErrorCode.TenantNotFound, `no tenant "${slug.slice(0, 60)}"`)
        : new SamlException(SamlErrorCode.SamlDisabled, 'SAML is not enabled for the tenant');
      this.logger.warn({ reqId: requestId, tenant: slug.slice(0, 60), ip: clientIp, code: err.samlCode, reason: err.reason }, 'SAML sign-in refused');
      // The tenant label only for a tenant that exists: a slug from the URL would be unbounded.
      this.metrics.samlSignIn('failure', err.samlCode, tenant?.slug);
      throw err;
    }
    // Refused sign-ins per client address (LoginThrottleService.admitFailureCounted): a clean
    // address's sign-ins write nothing to the counter; once it has failures, each post is counted
    // before the response is read, so parallel posts cannot slip under the limit. Over the limit:
    // 429 page, logged, not audited.
    const throttleKey = `saml-ip:${clientIp}`;
    let admission: ThrottleAdmission;
    try {
      admission = await this.throttle.admitFailureCounted(tenant.id, throttleKey, this.config.SAML_ACS_FAILURES_PER_ADDRESS, 'saml_acs');
    } catch (err) {
      const throttled = err instanceof ApiException && err.getStatus() === 429;
      this.logger.warn({ reqId: requestId, tenant: tenant.slug, ip: clientIp }, 'SAML sign-in throttled');
      this.metrics.samlSignIn(throttled ? 'throttled' : 'error', throttled ? 'too_many_attempts' : 'internal', tenant.slug);
      throw err;
    }
    let identity: SamlIdentity | null = null;
    try {
      if (trust.certificates.length === 0) throw new SamlException(SamlErrorCode.NoCertificate, 'no verification certificate uploaded');

      identity = await this.validator.validate(form.SAMLResponse, {
        acsUrl: this.urls.acs(tenant.slug),
        certificates: trust.certificates,
        idpEntityId: trust.idpEntityId,
        spKeys: trust.spKeys,
      });
      if (identity.inResponseTo !== null) await this.consumeAuthnRequest(tenant, identity.inResponseTo);
      if (!(await this.replay.claim(tenant.id, identity.assertionId, identity.acceptableUntil))) {
        throw new SamlException(SamlErrorCode.Replay, `assertion ${identity.assertionId} was already used`);
      }
      const user = await this.findUser(tenant.id, identity);
      const session = await this.auth.signIn(tenant.id, user, 'saml');
      await this.audit.record(tenant.id, {
        kind: 'saml_login',
        action: 'login.saml',
        actor: identity.nameId,
        target: user.email,
        outcome: 'success',
        details: { assertionId: identity.assertionId, issuer: identity.issuer, inResponseTo: identity.inResponseTo, encrypted: identity.encrypted },
      });
      await this.throttle.settle(tenant.id, throttleKey, admission, true);
      this.logger.info({ reqId: requestId, tenant: tenant.slug, user: user.id }, 'SAML sign-in');
      this.metrics.samlSignIn('success', 'none', tenant.slug);
      const location = safeRelayPath(form.RelayState) ?? `/t/${tenant.slug}/app`;
      return { session, location, user };
    } catch (err) {
      // Counted before the audit write, which may itself fail (the database is down).
      if (err instanceof SamlException) this.metrics.samlSignIn('failure', err.samlCode, tenant.slug);
      else this.metrics.samlSignIn('error', 'internal', tenant.slug);
      // Every failed attempt counts against the address, as a reservation would have (best effort:
      // with the database down the original failure is what the client must hear).
      await this.throttle.settle(tenant.id, throttleKey, admission, false).catch((countErr: unknown) => {
        const code = databaseUnavailableCode(countErr) ?? 'other';
        rateLimited(this.logger).error(`saml-throttle|${code}`, { err: countErr, code, tenantId: tenant.id }, 'SAML sign-in failure not counted against its address');
      });
      if (err instanceof SamlException) {
        await this.audit.record(tenant.id, {
          kind: 'saml_login',
          action: 'login.saml',
          actor: identity?.nameId ?? null,
          target: identity?.nameId ?? null,
          outcome: 'failure',
          reason: err.reason,
          details: {
            code: err.samlCode,
            ...(identity ? { assertionId: identity.assertionId, issuer: identity.issuer, inResponseTo: identity.inResponseTo, encrypted: identity.encrypted } : {}),
          },
        });
        this.logger.warn({ reqId: requestId, tenant: tenant.slug, code: err.samlCode, reason: err.reason, nameId: identity?.nameId }, 'SAML sign-in refused');
      }
      throw err;
    }
  }

  /**
   * An SP-initiated response must answer an AuthnRequest this service sent for this tenant,
   * unexpired and unused; using it here is atomic across instances (the database decides).
   */
  private async consumeAuthnRequest(tenant: TenantRef, requestId: string): Promise<void> {
    const shown = requestId.slice(0, 80);
    // Our IDs are 41 characters: anything longer was never sent, and is not looked up.
    const result = requestId.length > 64 ? 'unknown' : await this.authnRequests.consume(tenant.id, requestId);
    if (result === 'consumed') return;
    if (result === 'expired') {
      throw new SamlException(SamlErrorCode.InResponseToExpired, `InResponseTo ${shown}: the AuthnRequest expired (answers are accepted for 5 minutes)`);
    }
    if (result === 'used') {
      throw new SamlException(SamlErrorCode.InResponseToReused, `InResponseTo ${shown}: the AuthnRequest was already answered (single use)`);
    }
    throw new SamlException(
      SamlErrorCode.InResponseToUnknown,
      `InResponseTo ${shown}: no AuthnRequest with this ID was sent for tenant ${tenant.slug} (never sent, sent for another organization, or expired and purged)`,
    );
  }

  /** NameID first, then the email attributes; case-insensitive; only this tenant's users. */
  private async findUser(tenantId: string, identity: SamlIdentity): Promise<UserEntity> {
    const keys = lookupKeys(identity);
    for (const key of keys) {
      const user = await this.users.findByEmail(tenantId, key);
      if (!user) continue;
      if (!user.active) {
        const state = user.scimRemovedAt ? 'removed by the identity provider (SCIM DELETE)' : 'deactivated';
        throw new SamlException(SamlErrorCode.InactiveUser, `user ${user.email} (matched by "${key}") is ${state}`);
      }
      return user;
    }
    const shown = keys.slice(0, 2).join(' or ');
    throw new SamlException(
      SamlErrorCode.UnknownUser,
      `no user matches ${keys.map((k) => `"${k}"`).join(', ')}`,
      `No account for ${shown} in this organization; ask your System Admin.`,
    );
  }
}

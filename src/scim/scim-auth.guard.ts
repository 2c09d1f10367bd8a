import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { ScimGateRepository } from './scim-gate.repository.js';
import { ScimRateLimiter } from './scim-rate-limiter.js';
import type { ScimRequest } from './scim-request.js';
import { scimTokenMatches } from './scim-token.js';
import { ScimException } from './wire/scim-exception.js';

const MAX_TOKEN_LENGTH = 512;

/**
 * The SCIM gate on /scim/v2/{tenant}/…: the tenant from the directory and its settings in one query, the bearer
 * token compared by hash in constant time, then SAML must be set up, then the tenant's rate.
 * Unknown tenant, disabled SCIM, a missing, wrong or other tenant's token all look the same: 401.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly gates: ScimGateRepository,
    private readonly limiter: ScimRateLimiter,
    private readonly metrics: MetricsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    // Admitted already when the HTTP layer checked the token before reading the body.
    if (!request.scimTenant) await this.admit(request);
    return true;
  }

  /** Checks the request's token, tenant, SAML prerequisite and rate; sets request.scimTenant or throws. */
  async admit(request: ScimRequest): Promise<void> {
    const slug = (request.params as Record<string, string | undefined>).tenant;
    const token = bearerToken(request.headers.authorization);
    const tenant = token ? await this.tenants.resolve(slug) : null;
    const gate = tenant ? await this.gates.findGate(tenant.id) : null;
    if (!tenant || !gate || !token || !gate.scimEnabled || !scimTokenMatches(token, gate.scimTokenHash)) {
      // The reason is logged for operators; the token never is.
      this.logger.info(
        { reqId: request.id, tenant: slug, reason: !token ? 'no bearer token' : !gate ? 'unknown tenant' : !gate.scimEnabled ? 'scim disabled' : 'wrong token' },
        'scim request refused',
      );
      throw unauthorized();
    }
    request.scimTokenTenantSlug = tenant.slug;
    if (!gate.samlEnabled || gate.samlCertificateCount === 0) {
      throw new ScimException(403, undefined, 'SCIM provisioning needs SAML single sign-on: enable SAML and upload the verification certificate for this tenant');
    }
    const decision = this.limiter.take(tenant.id);
    if (!decision.allowed) {
      this.metrics.rateLimited('scim');
      throw new ScimException(429, undefined, `Too many SCIM requests for this tenant; retry after ${decision.retryAfterSeconds} s`, {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    request.scimTenant = { id: tenant.id, slug: tenant.slug };
  }
}

function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const token = match?.[1];
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

function unauthorized(): ScimException {
  return new ScimException(401, undefined, 'Missing or invalid bearer token for this tenant, or SCIM provisioning is disabled', {
    'www-authenticate': 'Bearer',
  });
}

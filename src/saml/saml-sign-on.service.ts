import { randomBytes, sign } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { PublicUrls } from '../config/public-urls.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { safeRelayPath } from './relay-state.js';
import { SamlAuthnRequestRepository } from './saml-authn-request.repository.js';
import { SamlSpKeyService } from './saml-sp-key.service.js';
import { SamlTrustRepository } from './saml-trust.repository.js';
import { SamlErrorCode, SamlException } from './saml.exception.js';
import { activeKey } from './sp-key-set.js';

/** How long an AuthnRequest may be answered (CONTRACT section 3: 5 minutes). */
export const AUTHN_REQUEST_TTL_SECONDS = 300;
/** Longest RelayState GET /saml/{tenant}/login passes on (a console path with its query). */
export const MAX_LOGIN_RELAY_STATE = 1024;
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/**
 * SP-initiated sign-on: GET /saml/{tenant}/login sends the browser to the IdP's SSO URL with a
 * signed AuthnRequest (HTTP-Redirect binding), whose ID the database remembers for 5 minutes so
 * the ACS accepts the answer once, on any instance (SamlLoginService consumes it).
 */
@Injectable()
export class SamlSignOnService {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly trusts: SamlTrustRepository,
    private readonly spKeys: SamlSpKeyService,
    private readonly requests: SamlAuthnRequestRepository,
    private readonly urls: PublicUrls,
    private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** The IdP URL to redirect to. Throws SamlException (an HTML page) when sign-on cannot start. */
  async start(slug: string, relayState: unknown, clientIp: string, requestId: string): Promise<string> {
    const tenant = await this.tenants.resolve(slug);
    const trust = tenant ? await this.trusts.findTrust(tenant.id) : null;
    if (!tenant || !trust) throw new SamlException(SamlErrorCode.TenantNotFound, `no tenant "${slug.slice(0, 60)}"`);
    if (!trust.samlEnabled) throw new SamlException(SamlErrorCode.LoginDisabled, 'SAML is not enabled for the tenant');
    if (!trust.idpSsoUrl) throw new SamlException(SamlErrorCode.NoIdpSsoUrl, 'no IdP SSO URL is configured');
    if (relayState !== undefined && typeof relayState !== 'string') {
      throw new SamlException(SamlErrorCode.RelayStateTooLong, 'RelayState was given more than once', 'The page to return to after sign-in (RelayState) was given more than once.');
    }
    if (typeof relayState === 'string' && relayState.length > MAX_LOGIN_RELAY_STATE) {
      throw new SamlException(SamlErrorCode.RelayStateTooLong, `RelayState is ${relayState.length} characters (at most ${MAX_LOGIN_RELAY_STATE})`);
    }
    // The ACS's rule, applied here too: only a same-origin path travels; anything else is dropped
    // and the user lands on the app page, as after an IdP-initiated sign-in.
    const relay = safeRelayPath(relayState);

    const keys = await this.spKeys.ensure(tenant, trust.spKeys);
    const key = this.spKeys.open(activeKey(keys)!);
    const id = `_${randomBytes(20).toString('hex')}`;
    const remembered = await this.requests.remember(
      tenant.id,
      id,
      clientIp.slice(0, 64),
      AUTHN_REQUEST_TTL_SECONDS,
      this.config.SAML_AUTHN_REQUESTS_PER_ADDRESS,
      this.config.SAML_AUTHN_REQUESTS_PER_TENANT,
    );
    if (!remembered.stored) {
      this.logger.warn({ reqId: requestId, tenant: tenant.slug, ip: clientIp, limit: remembered.limit }, 'SP-initiated sign-on refused: too many unanswered AuthnRequests');
      throw new SamlException(
        SamlErrorCode.TooManyAuthnRequests,
        `${remembered.limit === 'client' ? `this address holds ${this.config.SAML_AUTHN_REQUESTS_PER_ADDRESS}` : `the tenant holds ${this.config.SAML_AUTHN_REQUESTS_PER_TENANT}`} unanswered AuthnRequests`,
        undefined,
        { 'retry-after': '60' },
      );
    }

    const acs = this.urls.acs(tenant.slug);
    // node-saml writes the AuthnRequest (and deflates it); the query string is signed here, so the
    // bytes signed are exactly the bytes sent (SAML bindings §3.4.4.1): node-saml signs a
    // querystring.stringify() encoding and then re-encodes with URLSearchParams, which differ on
    // characters such as ' ( ) ! and spaces.
    const saml = new SAML({
      entryPoint: trust.idpSsoUrl,
      issuer: acs,
      callbackUrl: acs,
      idpCert: key.certPem, // required by the constructor, unused for a request
      generateUniqueId: () => id,
      validateInResponseTo: ValidateInResponseTo.never,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      wantAuthnResponseSigned: false,
    });
    const message = await saml.getAuthorizeMessageAsync('');
    const query = [`SAMLRequest=${encodeURIComponent(String(message.SAMLRequest))}`];
    if (relay) query.push(`RelayState=${encodeURIComponent(relay)}`);
    query.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
    const signed = query.join('&');
    const signature = sign('sha256', Buffer.from(signed, 'utf8'), key.privateKey).toString('base64');
    const target = new URL(trust.idpSsoUrl);
    const location = `${target.origin}${target.pathname}${target.search ? `${target.search}&` : '?'}${signed}&Signature=${encodeURIComponent(signature)}`;
    this.logger.info({ reqId: requestId, tenant: tenant.slug, authnRequest: id }, 'SP-initiated sign-on started');
    return location;
  }
}

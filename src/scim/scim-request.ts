import type { LatchkeyRequest } from '../common/http/request-context.js';

/** The tenant a SCIM request acts on, established by the SCIM gate from the URL and bearer token. */
export interface ScimTenant {
  id: string;
  slug: string;
}

export interface ScimRequest extends LatchkeyRequest {
  scimTenant?: ScimTenant;
  /**
   * The slug of the tenant whose token matched, set before the SAML and rate checks: the metrics'
   * tenant label, also on a request those checks refuse.
   */
  scimTokenTenantSlug?: string;
}

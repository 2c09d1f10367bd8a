import type { LatchkeyRequest } from '../common/http/request-context.js';

/** The tenant a SCIM request acts on, established by the SCIM gate from the URL and bearer token. */
export interface ScimTenant {
  id: string;
  slug: string;
}

export interface ScimRequest extends LatchkeyRequest {
  scimTenant?: ScimTenant;
}

import type { ErrorFormatter, HttpFailure, RenderedError } from '../../common/http/error-formatter.js';
import { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA } from './scim-schemas.js';

/** Failures that did not come from SCIM code but still need a scimType (body parsing). */
const SCIM_TYPE_BY_CODE: Record<string, string> = {
  invalid_json: 'invalidSyntax',
  validation_failed: 'invalidSyntax',
};

/**
 * Renders every failure under /scim (unknown routes, body-parser errors, 413, 500 included) as an
 * RFC 7644 §3.12 error with application/scim+json.
 */
export class ScimErrorFormatter implements ErrorFormatter {
  matches(url: string): boolean {
    return url === '/scim' || url.startsWith('/scim/') || url.startsWith('/scim?');
  }

  render(failure: HttpFailure): RenderedError {
    const scimType = typeof failure.details.scimType === 'string' ? failure.details.scimType : SCIM_TYPE_BY_CODE[failure.code];
    return {
      contentType: SCIM_CONTENT_TYPE,
      body: {
        schemas: [SCIM_ERROR_SCHEMA],
        status: String(failure.status),
        ...(scimType ? { scimType } : {}),
        detail: failure.message,
      },
    };
  }
}

import type { ErrorFormatter, HttpFailure, RenderedError } from '../../common/http/error-formatter.js';
import { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA } from './scim-schemas.js';


/**
 * Renders every failure under /scim (unknown routes, body-parser errors, 413, 500 included) as an
 * RFC 7644 §3.12 error with application/scim+json.
 */
export class ScimErrorFormatter implements ErrorFormatter {
  matches(url: string): boolean {
    return url === '/scim' || url.startsWith('/scim/') || url.startsWith('/scim?');
  }

  render(failure: HttpFailure): RenderedError {
    let scimType = typeof failure.details.scimType === 'string' ? failure.details.scimType : undefined;
    let detail = failure.message;
    if (!scimType && failure.status === 400) {
      // A 400 that SCIM code did not throw comes from reading the body (malformed JSON, an
      // empty JSON body, prototype poisoning): the request body message structure is invalid.
      scimType = 'invalidSyntax';
      if (/json/i.test(detail)) detail = 'The request body is not valid JSON';
    }
    return {
      contentType: SCIM_CONTENT_TYPE,
      body: {
        schemas: [SCIM_ERROR_SCHEMA],
        status: String(failure.status),
        ...(scimType ? { scimType } : {}),
        detail,
      },
    };
  }
}

import { ApiException } from '../../common/http/api-exception.js';

/** RFC 7644 §3.12 Table 9 keywords, plus RFC 9865 §2.1's for cursor paging. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

/**
 * A SCIM failure, rendered by the SCIM error formatter as
 * {"schemas":[Error],"status":"<status>","scimType"?,"detail"}.
 * It is an ApiException so the shared failure pipeline (headers, status) carries it unchanged.
 */
export class ScimException extends ApiException {
  constructor(
    status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    headers: Record<string, string> = {},
  ) {
    super(status, scimType ?? `scim_${status}`, detail, scimType ? { scimType } : {}, headers);
  }

  static invalidValue(detail: string): ScimException {
    return new ScimException(400, 'invalidValue', detail);
  }

  static notFound(id: string): ScimException {
    return new ScimException(404, undefined, `Resource ${id} not found`);
  }
}

import { SCIM_LIST_RESPONSE_SCHEMA } from './scim-schemas.js';

export interface ScimListResponse<T> {
  schemas: [typeof SCIM_LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** RFC 7644 §3.4.2: all four members always, as JSON numbers (Okta insists), Resources [] when empty. */
export function listResponse<T>(resources: T[], totalResults: number, startIndex = 1): ScimListResponse<T> {
  return { schemas: [SCIM_LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** A cursor-paged list (RFC 9865 §2.2): no startIndex; nextCursor only when a page follows, previousCursor only when one precedes. */
export interface ScimCursorListResponse<T> {
  schemas: [typeof SCIM_LIST_RESPONSE_SCHEMA];
  totalResults: number;
  itemsPerPage: number;
  nextCursor?: string;
  previousCursor?: string;
  Resources: T[];
}

export function cursorListResponse<T>(resources: T[], totalResults: number, nextCursor?: string, previousCursor?: string): ScimCursorListResponse<T> {
  return {
    schemas: [SCIM_LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
    ...(nextCursor ? { nextCursor } : {}),
    ...(previousCursor ? { previousCursor } : {}),
    Resources: resources,
  };
}

/** A normalised failure, before it is rendered in the wire format of the URL space it hit. */
export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface RenderedError {
  contentType: string;
  body: unknown;
  /** Extra headers of this wire format (an HTML page's CSP, say). */
  headers?: Record<string, string>;
}

/**
 * Renders failures for one URL space (the admin API by default; SCIM registers its own so that
 * every answer under /scim, unknown routes and body-parser failures included, is an RFC 7644 error).
 */
export interface ErrorFormatter {
  matches(url: string): boolean;
  render(failure: HttpFailure): RenderedError;
}

export const jsonErrorFormatter: ErrorFormatter = {
  matches: () => true,
  render: (f) => ({
    contentType: 'application/json; charset=utf-8',
    body: { error: f.code, message: f.message, ...f.details },
  }),
};

import { HttpException } from '@nestjs/common';
import { ApiException } from './api-exception.js';
import type { HttpFailure } from './error-formatter.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  501: 'not_implemented',
  503: 'unavailable',
};

/** Fastify's own errors (body parsing, limits) carry a statusCode and an FST_ code. */
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const FASTIFY_MESSAGES: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'The request body is empty but Content-Type says JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'Unsupported Content-Type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: 'Content-Length does not match the body' },
  FST_REQ_FILE_TOO_LARGE: { code: 'payload_too_large', message: 'The uploaded file is too large' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported_media_type', message: 'The Content-Type header is not valid' },
};

function isFastifyError(value: unknown): value is FastifyLikeError {
  const e = value as FastifyLikeError | undefined;
  return typeof e?.code === 'string' && e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
}

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
}

/**
 * Turns anything thrown into the failure to render; null means "unexpected" (a 500 whose cause
 * is logged but never shown).
 */
export function toHttpFailure(exception: unknown): HttpFailure | null {
  if (exception instanceof ApiException) {
    return {
      status: exception.getStatus(),
      code: exception.code,
      message: exception.message,
      details: exception.details,
      headers: exception.headers,
    };
  }
  // Nest wraps Fastify's own errors (body too large, invalid JSON) in an HttpException whose
  // cause is the original: keep their stable codes and messages.
  if (exception instanceof HttpException && isFastifyError(exception.cause)) {
    return toHttpFailure(exception.cause);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m = (response as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return { status, code: codeForStatus(status), message, details: {}, headers: {} };
  }
  const fe = exception as FastifyLikeError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const known = fe.code ? FASTIFY_MESSAGES[fe.code] : undefined;
    return {
      status: fe.statusCode,
      code: known?.code ?? codeForStatus(fe.statusCode),
      message: known?.message ?? fe.message ?? 'Bad request',
      details: {},
      headers: {},
    };
  }
  return null;
}

import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { databaseUnavailableCode } from '../database/pg-errors.js';
import type { ErrorFormatter, HttpFailure, RenderedError } from '../http/error-formatter.js';
import { rateLimited } from '../logging/log-rate-limiter.js';
import { toHttpFailure } from '../http/http-failure.js';

/** What a failure looks like on the wire: status, headers and the body of its URL space's format. */
export interface WireFailure extends RenderedError {
  status: number;
  headers: Record<string, string>;
}

/**
 * The path that decides a request's URL space (and so its error format): the pattern of the
 * route it matched when there is one, else its decoded path. Never the raw URL alone: `/%73cim/…`
 * is routed to SCIM and must answer like SCIM.
 */
export function formattingPath(rawUrl: string, routePattern?: string): string {
  if (routePattern) return routePattern;
  const path = rawUrl.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Seconds a client is asked to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

function databaseUnavailable(): HttpFailure {
  return {
    status: 503,
    code: 'unavailable',
    message: 'The service cannot reach its database right now; try again in a few seconds',
    details: {},
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  };
}

/**
 * Renders any failure for the URL space of `path`. The database being unreachable is a 503 with
 * Retry-After, logged at most once per interval and route; other unexpected errors are logged and
 * become a bare 500.
 */
export function renderFailure(
  path: string,
  exception: unknown,
  formatters: readonly ErrorFormatter[],
  logger: Logger,
  context: { reqId: unknown; method: string; url: string },
): WireFailure {
  let failure = toHttpFailure(exception);
  const unavailable = failure ? null : databaseUnavailableCode(exception);
  if (unavailable) {
    // An outage fails every request the same way: one line per code and route per interval.
    rateLimited(logger).error(
      `db|${unavailable}|${context.method} ${path}`,
      { reqId: context.reqId, code: unavailable, method: context.method, route: path, err: exception },
      'database unavailable',
    );
    failure = databaseUnavailable();
  } else if (!failure) {
    logger.error({ reqId: context.reqId, err: exception, method: context.method, url: context.url }, 'unhandled error');
    failure = {
      status: 500,
      code: 'internal_error',
      message: `An unexpected error occurred (request id ${String(context.reqId)})`,
      details: {},
      headers: {},
    };
  }
  const formatter = formatters.find((f) => f.matches(path));
  if (!formatter) throw new Error('no error formatter matches');
  const rendered = formatter.render(failure);
  return { ...rendered, status: failure.status, headers: { ...(rendered.headers ?? {}), ...failure.headers } };
}

/**
 * Sends any failure in the wire format of the URL space it happened in. Unexpected errors are
 * logged with the request id and answered 500 with nothing of their internals.
 */
export function sendFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  exception: unknown,
  formatters: readonly ErrorFormatter[],
  logger: Logger,
): void {
  const path = formattingPath(request.url, request.routeOptions?.url);
  const wire = renderFailure(path, exception, formatters, logger, { reqId: request.id, method: request.method, url: request.url });
  if (reply.sent) return;
  void reply.status(wire.status).headers(wire.headers).header('content-type', wire.contentType).send(wire.body);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(
    private readonly formatters: readonly ErrorFormatter[],
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendFailure(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception, this.formatters, this.logger);
  }
}

import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorFormatter } from '../http/error-formatter.js';
import { toHttpFailure } from '../http/http-failure.js';

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
  let failure = toHttpFailure(exception);
  if (!failure) {
    logger.error({ reqId: request.id, err: exception, method: request.method, url: request.url }, 'unhandled error');
    failure = {
      status: 500,
      code: 'internal_error',
      message: `An unexpected error occurred (request id ${String(request.id)})`,
      details: {},
      headers: {},
    };
  }
  const formatter = formatters.find((f) => f.matches(request.url));
  if (!formatter) throw new Error('no error formatter matches');
  const rendered = formatter.render(failure);
  if (reply.sent) return;
  void reply
    .status(failure.status)
    .headers({ ...(rendered.headers ?? {}), ...failure.headers })
    .header('content-type', rendered.contentType)
    .send(rendered.body);
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

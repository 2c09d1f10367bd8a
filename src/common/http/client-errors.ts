import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { formattingPath, renderFailure } from '../filters/all-exceptions.filter.js';
import { ApiException } from './api-exception.js';
import type { ErrorFormatter } from './error-formatter.js';

/** What Node's HTTP parser reports on a connection (`clientError`): llhttp codes and the timeouts. */
interface ClientError extends Error {
  code?: string;
  /** The bytes the parser was reading when it failed (starts with the request line for a one-packet request). */
  rawPacket?: unknown;
}

const REQUEST_LINE = /^[A-Z]{3,10} (\S{1,8192})/;

function failureFor(err: ClientError, timeouts: { headersSeconds: number; requestSeconds: number }): ApiException {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return new ApiException(
        408,
        'request_timeout',
        `The request was not received in time (headers within ${timeouts.headersSeconds} s, the whole request within ${timeouts.requestSeconds} s)`,
      );
    case 'HPE_HEADER_OVERFLOW':
      return new ApiException(431, 'headers_too_large', 'The request line and headers are larger than the server accepts (16 KiB)');
    default:
      return new ApiException(400, 'bad_request', 'The request is not valid HTTP/1.1');
  }
}

/**
 * Failures Node's HTTP server meets before (or while) Fastify has a request: malformed HTTP (400),
 * headers over 16 KiB (431), a client too slow to send its headers or body (408). Fastify's
 * default answers them with its own JSON; this answers in the format of the URL space the request
 * was sent to, as every other failure: the URL of the request in flight on the socket when there
 * is one (a slow body), else the request line the parser was reading (an over-long URL), else the
 * admin API's JSON (nothing of the request arrived).
 */
export class ClientErrorResponder {
  /** The response in flight on each socket, so a timeout mid-body knows the URL it was for. */
  private readonly inFlight = new WeakMap<Socket, ServerResponse>();

  constructor(
    private readonly formatters: readonly ErrorFormatter[],
    private readonly logger: Logger,
    private readonly timeouts: { headersSeconds: number; requestSeconds: number },
  ) {}

  /** Follows the requests of a server (its 'request' event; no per-request listener). */
  track(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.inFlight.set(req.socket, res));
  }

  /** Fastify's clientErrorHandler. */
  readonly handle = (err: ClientError, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const res = this.inFlight.get(socket);
    const pending = res && !res.writableEnded ? res : undefined;
    if (pending?.headersSent) {
      socket.destroy(err);
      return;
    }
    const url = pending?.req.url ?? REQUEST_LINE.exec(Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1', 0, 8200) : '')?.[1] ?? '/';
    const wire = renderFailure(formattingPath(url), failureFor(err, this.timeouts), this.formatters, this.logger, { reqId: undefined, method: '', url });
    this.logger.info({ code: err.code, status: wire.status, url: url.split('?')[0]!.slice(0, 200) }, 'client error');
    if (socket.writable) {
      const body = Buffer.from(typeof wire.body === 'string' ? wire.body : JSON.stringify(wire.body), 'utf8');
      const headers = { ...wire.headers, 'content-type': wire.contentType, 'content-length': String(body.length), connection: 'close' };
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`HTTP/1.1 ${wire.status} ${STATUS_CODES[wire.status] ?? ''}\r\n${head}\r\n`);
      socket.write(body);
    }
    socket.destroy(err);
  };
}

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

const REQUEST_LINE = /^([A-Z]{3,10}) (\S{1,8192})/;

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

  /**
   * Follows the requests of a server (its 'request' event; no per-request listener), and makes
   * every close after a response a lingering one: Node ends a `Connection: close` response with
   * socket.destroySoon(), which also cuts a client still sending the body the answer refused
   * (401 before a 4 MB SCIM body, 413, 415): the same reset, the client sees EPIPE, not the answer.
   */
  track(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.inFlight.set(req.socket, res));
    server.on('connection', (socket: Socket & { destroySoon?: () => void }) => {
      socket.destroySoon = () => lingeringClose(socket);
    });
  }

  /** Fastify's clientErrorHandler. */
  readonly handle = (err: ClientError, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed || closing.has(socket)) return;
    const res = this.inFlight.get(socket);
    const pending = res && !res.writableEnded ? res : undefined;
    if (pending?.headersSent) {
      socket.destroy(err);
      return;
    }
    const line = REQUEST_LINE.exec(Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1', 0, 8200) : '');
    const url = pending?.req.url ?? line?.[2] ?? '/';
    // A response to HEAD has no body (RFC 9110 9.3.2): a client reads one as a second response.
    const head = (pending?.req.method ?? line?.[1]) === 'HEAD';
    const wire = renderFailure(formattingPath(url), failureFor(err, this.timeouts), this.formatters, this.logger, { reqId: undefined, method: '', url });
    this.logger.info({ code: err.code, status: wire.status, url: url.split('?')[0]!.slice(0, 200) }, 'client error');
    if (!socket.writable) {
      socket.destroy(err);
      return;
    }
    const body = Buffer.from(typeof wire.body === 'string' ? wire.body : JSON.stringify(wire.body), 'utf8');
    const headers = { ...wire.headers, 'content-type': wire.contentType, 'content-length': String(body.length), connection: 'close' };
    const fields = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`HTTP/1.1 ${wire.status} ${STATUS_CODES[wire.status] ?? ''}\r\n${fields}\r\n`);
    if (!head) socket.write(body);
    lingeringClose(socket);
  };
}

/** Sockets answered and closing: the parser may report a later chunk of the refused request again; answer once. */
const closing = new WeakSet<Socket>();

/** How long a refused client may go on sending what it had started before the connection is cut. */
export const LINGER_MS = 2_000;

/**
 * Closes a connection whose answer was just written without losing that answer. Destroying the
 * socket at once while the client is still sending (the rest of a 4 MB URL, a body) leaves unread
 * bytes in the kernel's receive buffer, so the close becomes a TCP reset and the client discards
 * the 431/400/408 it had been sent: it sees ECONNRESET instead (fuzz seed 20261130 cases 3969,
 * 4397, 29830). Instead, as nginx's lingering close: send the answer and FIN, read and drop what
 * still arrives, and destroy when the client closes its side or after LINGER_MS at most.
 */
function lingeringClose(socket: Socket): void {
  if (closing.has(socket)) return;
  closing.add(socket);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.end();
  socket.resume();
}

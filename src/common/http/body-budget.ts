import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException } from './api-exception.js';

/**
 * Bytes of request bodies that anonymous clients may make this process hold at once. Each route's
 * body limit bounds one request; this bounds them together: 1,000 slow clients each holding a
 * nearly complete 272 KiB ACS form would otherwise pin 272 MB until the request timeout. A body
 * reserves its declared Content-Length (its route's limit when chunked) when it starts and gives
 * it back when the response is done or the connection closes; over the budget the answer is 503
 * with Retry-After, before the body is read.
 */
export class BodyBudget {
  private inFlight = 0;

  constructor(
    readonly capacityBytes: number,
    /** Told of every refusal (the metrics count them). */
    private readonly onRefused: () => void = () => {},
  ) {}

  get reservedBytes(): number {
    return this.inFlight;
  }

  /** Reserves the body of a request (or throws 503); released when the response closes. */
  reserve(request: FastifyRequest, reply: FastifyReply, routeLimit: number): void {
    const declared = Number(request.headers['content-length']);
    const chunked = request.headers['transfer-encoding'] !== undefined;
    const bytes = chunked ? routeLimit : Number.isFinite(declared) && declared > 0 ? Math.min(declared, routeLimit) : 0;
    if (bytes === 0) return;
    if (this.inFlight + bytes > this.capacityBytes) {
      this.onRefused();
      throw new ApiException(503, 'busy', 'Too many requests are uploading at once; retry in a moment', {}, { 'retry-after': '1' });
    }
    this.inFlight += bytes;
    let released = false;
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
    });
  }
}

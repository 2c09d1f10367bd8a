import { createHmac, timingSafeEqual } from 'node:crypto';
import { ScimException } from './scim-exception.js';
import { isUuid } from '../../common/validation/uuid.js';

/** Which way a cursor reads from its user: after it (nextCursor) or before it (previousCursor). */
export type CursorDirection = 'next' | 'previous';

export interface CursorPosition {
  direction: CursorDirection;
  /** The user the page starts after (next) or ends before (previous); users are never deleted. */
  userId: string;
}

/** The query a cursor belongs to: a cursor is valid only for the tenant and filter it was issued for. */
export interface CursorScope {
  tenantId: string;
  /** SHA-256 of the normalised filter (see scimQueryHash). */
  queryHash: Buffer;
}

const VERSION = 1;
const MAC_BYTES = 16;
// version (1) | direction (1) | issued at, seconds since the epoch (4) | user id (16)
const PAYLOAD_BYTES = 1 + 1 + 4 + 16;
const TOKEN_BYTES = PAYLOAD_BYTES + MAC_BYTES;

/**
 * RFC 9865 cursors: opaque, URL-safe (base64url, RFC 3986 unreserved characters only), tamper-proof
 * and expiring. A cursor carries its direction, the id of the user it continues from and when it
 * was issued, followed by an HMAC-SHA-256 (truncated to 128 bits) over those bytes, the tenant id
 * and the query hash: a cursor altered, forged, or replayed on another tenant or filter fails the
 * MAC. No state is kept: any instance holding the key reads any cursor.
 */
export class ScimCursorCodec {
  constructor(
    private readonly key: Buffer,
    /** RFC 9865 cursorTimeout: how long a cursor stays valid after it was issued. */
    readonly timeoutSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  encode(scope: CursorScope, position: CursorPosition, issuedAtMs: number = this.now()): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt8(VERSION, 0);
    payload.writeUInt8(position.direction === 'next' ? 0 : 1, 1);
    payload.writeUInt32BE(Math.floor(issuedAtMs / 1000), 2);
    uuidToBytes(position.userId).copy(payload, 6);
    return Buffer.concat([payload, this.mac(scope, payload)]).toString('base64url');
  }

  /**
   * The position a cursor stands for. Throws 400 invalidCursor for anything this service did not
   * issue for this tenant and filter, and 400 expiredCursor for a genuine cursor older than
   * cursorTimeout (RFC 9865 §2.1 defines both keywords).
   */
  decode(scope: CursorScope, cursor: string): CursorPosition {
    const bytes = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== cursor) throw invalidCursor();
    const payload = bytes.subarray(0, PAYLOAD_BYTES);
    if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), this.mac(scope, payload))) throw invalidCursor();
    const version = payload.readUInt8(0);
    const direction = payload.readUInt8(1);
    if (version !== VERSION || direction > 1) throw invalidCursor();
    // Whole seconds on both sides: a cursor lives at least timeoutSeconds (RFC 9865: the minimum).
    if (Math.floor(this.now() / 1000) - payload.readUInt32BE(2) > this.timeoutSeconds) {
      throw new ScimException(
        400,
        'expiredCursor',
        `The cursor has expired (cursorTimeout ${this.timeoutSeconds} s): start again with an empty cursor`,
      );
    }
    return { direction: direction === 0 ? 'next' : 'previous', userId: bytesToUuid(payload.subarray(6, 22)) };
  }

  private mac(scope: CursorScope, payload: Buffer): Buffer {
    return createHmac('sha256', this.key)
      .update('scim-cursor\0')
      .update(uuidToBytes(scope.tenantId))
      .update(scope.queryHash)
      .update(payload)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

function invalidCursor(): ScimException {
  return new ScimException(
    400,
    'invalidCursor',
    'The cursor is not valid for this query: send an empty cursor for the first page, then the nextCursor or previousCursor of the previous response, with the same filter',
  );
}

function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new Error('not a UUID');
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

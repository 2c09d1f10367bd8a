import { QueryFailedError } from 'typeorm';

/** True for PostgreSQL's unique_violation (23505), optionally on one named constraint/index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const driverError = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : (err as { code?: string; constraint?: string } | null);
  if (!driverError || driverError.code !== '23505') return false;
  return constraint === undefined || driverError.constraint === constraint;
}

/** Socket errors of a connection to the database server (refused, reset, unreachable, timed out). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/**
 * SQLSTATEs that mean "the server cannot serve now", not "this statement is wrong": class 08
 * (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up or shutting down), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres and pg-pool say these in words only (no code). */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * The code that makes `err` a database-unavailable failure (a SQLSTATE, a socket error code, or
 * `connection_lost` for pg's wordings), or null when it is anything else. Looks through TypeORM's
 * QueryFailedError, `cause` chains and Node's AggregateError (one error per address tried).
 */
export function databaseUnavailableCode(err: unknown, depth = 0): string | null {
  if (err === null || typeof err !== 'object' || depth > 4) return null;
  if (err instanceof QueryFailedError) return databaseUnavailableCode(err.driverError, depth + 1);
  const { code, routine, message, errors, cause } = err as { code?: unknown; routine?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return code;
    // The database refuses new connections (ALTER DATABASE … ALLOW_CONNECTIONS false): 55000 is
    // also a statement's error, so only the connection check's counts.
    if (code === '55000' && routine === 'CheckMyDatabase') return code;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return 'connection_lost';
  if (Array.isArray(errors)) {
    for (const inner of errors.slice(0, 4)) {
      const found = databaseUnavailableCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return cause === undefined ? null : databaseUnavailableCode(cause, depth + 1);
}

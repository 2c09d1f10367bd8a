import { pino, type Logger } from 'pino';
import type { LogLevel } from './log-level.js';

/**
 * Paths whose values never reach a log line, whatever code logs them.
 * Redaction is by path, so a secret only leaks if it is logged under a name not listed here;
 * the request/response serializers below log no headers or bodies at all.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
  'SAMLResponse',
  '*.SAMLResponse',
  'secret',
  '*.secret',
];

/**
 * The service's logger. Without a destination, lines go to stdout through a 4 KiB buffer
 * written asynchronously (a synchronous write per request line cost about 7% of the CPU of a
 * SCIM lookup under load); the buffer is flushed when the process exits.
 */
/**
 * Errors are logged with their message and stack, never with the SQL values bound to a failed
 * query (TypeORM's QueryFailedError carries `parameters`, which can hold password hashes or the
 * sealed SCIM token) nor the driver's `detail` (it quotes the conflicting row).
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as Record<string, unknown>;
  delete out.parameters;
  delete out.query;
  const driverError = out.driverError as Record<string, unknown> | undefined;
  if (driverError && typeof driverError === 'object') {
    out.driverError = { code: driverError.code, constraint: driverError.constraint, table: driverError.table, routine: driverError.routine };
  }
  return out;
}

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  if (!destination) {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 });
    process.once('exit', () => {
      try {
        stdout.flushSync();
      } catch {
        // not yet open, or already closed: nothing left to write
      }
    });
    destination = stdout;
  }
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * The logger of the one line per request (method, path, status, time, address: never a secret,
 * and no key REDACT_PATHS names). pino's redaction is not free per line: with wildcard paths
 * (`*.password`) every value of a line, strings and numbers included, goes through the redactor,
 * which parses each wildcard path again per value; on a SCIM lookup that was ~2% of the service's
 * CPU for a line it can never change. Same destination, level and bindings as `logger`; the
 * request id is logged as the first field, where Fastify's per-request child puts it.
 */
export function requestLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

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

/** What stdout's buffer holds before it is written (under sonic-boom's 16 KiB write size: a write per ~60 request lines under load). */
const STDOUT_BUFFER_BYTES = 12 * 1024;
/** How long a line may wait in that buffer on a quiet service. */
const STDOUT_FLUSH_INTERVAL_MS = 1000;

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

/**
 * The service's logger. Without a destination, lines go to stdout through a 12 KiB buffer
 * written asynchronously (a synchronous write per request line cost about 7% of the CPU of a
 * SCIM lookup under load; each asynchronous write is a thread-pool round trip). The buffer is
 * written when full, every second (or a quiet service would hold its last lines, its start-up
 * lines included, until 12 KiB more came) and when the process exits.
 */
export function createLogger(level: LogLevel, destination: pino.DestinationStream = bufferedDestination(1)): Logger {
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

/** A buffered, asynchronous destination on a file descriptor (stdout: 1), written as createLogger's comment says. */
export function bufferedDestination(fd: number): ReturnType<typeof pino.destination> {
  const out = pino.destination({ dest: fd, sync: false, minLength: STDOUT_BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      out.flush();
    } catch {
      // destroyed, its 'close' not yet emitted: nothing more to write
    }
  }, STDOUT_FLUSH_INTERVAL_MS).unref();
  const atExit = () => {
    try {
      out.flushSync();
    } catch {
      // not yet open: nothing to write
    }
  };
  process.once('exit', atExit);
  // Ended (end() writes what is buffered, then closes the descriptor): no timer may write to a
  // descriptor number the process may since have given to something else.
  out.once('close', () => {
    clearInterval(timer);
    process.removeListener('exit', atExit);
  });
  return out;
}

/** What the one line per request says (never a secret: no key REDACT_PATHS names). */
export interface RequestLine {
  reqId: string;
  method: string;
  url: string;
  status: number;
  ms: number;
  ip: string;
}

/**
 * The writer of the one line per request, the hottest log line of the service: the same bytes
 * pino writes for `logger.info({ reqId, method, url, status, ms, ip }, 'request')` (its level
 * label, ISO time, the logger's bindings, then the fields), built as one string and handed to the
 * logger's destination. pino's general path (an object walked per line, every value through the
 * wildcard redactor, which can never change this line) was 10–15 % of the CPU of a SCIM lookup.
 * Strings go through JSON.stringify, so any URL a client sends stays valid JSON. Honours the
 * logger's level at each call.
 */
export function requestLineWriter(logger: Logger): (line: RequestLine) => void {
  const symbols = pino.symbols as unknown as { streamSym: symbol; chindingsSym: symbol };
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[symbols.streamSym] as pino.DestinationStream;
  const bindings = internals[symbols.chindingsSym] as string;
  return (line) => {
    if (!logger.isLevelEnabled('info')) return;
    stream.write(
      `{"level":"info","time":"${new Date().toISOString()}"${bindings},"reqId":${JSON.stringify(line.reqId)},"method":${JSON.stringify(line.method)},` +
        `"url":${JSON.stringify(line.url)},"status":${line.status},"ms":${line.ms},"ip":${JSON.stringify(line.ip)},"msg":"request"}\n`,
    );
  };
}

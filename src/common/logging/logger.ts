import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../config/app-config.js';

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

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

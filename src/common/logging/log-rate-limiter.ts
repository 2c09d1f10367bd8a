import type { Logger } from 'pino';

/** How often a repeated failure is summarised. */
export const LOG_SUMMARY_INTERVAL_MS = 10_000;
/** Distinct keys tracked at once; beyond it new keys share one (the line count stays bounded). */
const MAX_KEYS = 200;

interface Entry {
  fields: Record<string, unknown>;
  message: string;
  /** Occurrences since the last line written for this key. */
  suppressed: number;
}

/**
 * Logs repeated identical failures once per interval with a count: the first occurrence of a key
 * at once, then at most one summary line per key and interval (`repeated`: how many were not
 * written), and nothing once the key is quiet for a whole interval. During a database outage this
 * turns one error line per failed request into a handful.
 */
export class LogRateLimiter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = LOG_SUMMARY_INTERVAL_MS,
  ) {}

  /**
   * `key` names what is identical (an error code and a route template, say); `fields` and
   * `message` are what the first line says (the summary repeats the last occurrence's fields,
   * without `err`). Returns whether a line was written now.
   */
  error(key: string, fields: Record<string, unknown>, message: string): boolean {
    let entry = this.entries.get(key);
    if (!entry && this.entries.size >= MAX_KEYS) {
      key = '(other)';
      entry = this.entries.get(key);
    }
    if (entry) {
      entry.suppressed += 1;
      entry.fields = withoutErr(fields);
      entry.message = message;
      return false;
    }
    this.entries.set(key, { fields: withoutErr(fields), message, suppressed: 0 });
    this.logger.error(fields, message);
    this.timer ??= setInterval(() => this.flush(), this.intervalMs).unref();
    return true;
  }

  /** Writes one summary per key that repeated since the last flush and forgets the quiet ones. */
  flush(): void {
    for (const [key, entry] of this.entries) {
      if (entry.suppressed === 0) {
        this.entries.delete(key);
        continue;
      }
      this.logger.error({ ...entry.fields, repeated: entry.suppressed, intervalSeconds: this.intervalMs / 1000 }, `${entry.message} (repeated)`);
      entry.suppressed = 0;
    }
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

function withoutErr(fields: Record<string, unknown>): Record<string, unknown> {
  const { err: _err, reqId: _reqId, ...rest } = fields;
  return rest;
}

const byLogger = new WeakMap<Logger, LogRateLimiter>();

/** The rate limiter of a logger (one per logger, so every part of one process shares its counts). */
export function rateLimited(logger: Logger): LogRateLimiter {
  let limiter = byLogger.get(logger);
  if (!limiter) {
    limiter = new LogRateLimiter(logger);
    byLogger.set(logger, limiter);
  }
  return limiter;
}

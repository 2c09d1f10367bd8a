import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';
import { LogRateLimiter } from './log-rate-limiter.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, limiter: new LogRateLimiter(logger, 60_000) };
}

describe('LogRateLimiter', () => {
  it('writes the first occurrence at once and one summary with the count per interval', () => {
    const { lines, limiter } = capture();
    expect(limiter.error('db|ECONNREFUSED|GET /a', { code: 'ECONNREFUSED', route: '/a', err: new Error('refused') }, 'database unavailable')).toBe(true);
    for (let i = 0; i < 999; i++) expect(limiter.error('db|ECONNREFUSED|GET /a', { code: 'ECONNREFUSED', route: '/a', err: new Error('refused') }, 'database unavailable')).toBe(false);
    limiter.error('db|ECONNREFUSED|GET /b', { code: 'ECONNREFUSED', route: '/b' }, 'database unavailable');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'database unavailable', code: 'ECONNREFUSED', route: '/a', err: { message: 'refused' } });

    limiter.flush();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ level: 'error', msg: 'database unavailable (repeated)', route: '/a', repeated: 999, intervalSeconds: 60 });
    expect(lines[2]).not.toHaveProperty('err');

    // Still failing in the next interval: counted, not written, until the next summary.
    limiter.error('db|ECONNREFUSED|GET /a', { code: 'ECONNREFUSED', route: '/a' }, 'database unavailable');
    expect(lines).toHaveLength(3);
    limiter.flush();
    expect(lines[3]).toMatchObject({ route: '/a', repeated: 1 });

    // A whole quiet interval: the key is forgotten, the next occurrence is written at once.
    limiter.flush();
    limiter.flush();
    expect(lines).toHaveLength(4);
    expect(limiter.error('db|ECONNREFUSED|GET /a', { code: 'ECONNREFUSED', route: '/a' }, 'database unavailable')).toBe(true);
    expect(lines).toHaveLength(5);
    limiter.flush();
    limiter.flush();
  });

  it('keeps the lines bounded when keys are unbounded', () => {
    const { lines, limiter } = capture();
    for (let i = 0; i < 10_000; i++) limiter.error(`k${i}`, { i }, 'failure');
    limiter.flush();
    expect(lines.length).toBeLessThanOrEqual(202);
    limiter.flush();
    limiter.flush();
  });
});

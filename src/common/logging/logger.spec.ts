import { describe, expect, it } from '@jest/globals';
import { createLogger, requestLineLogger } from './logger.js';

const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '"time":"T"');

describe('requestLineLogger', () => {
  it('writes the request line byte for byte as the per-request child logger (reqId bound) did', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const fields = { method: 'GET', url: '/scim/v2/acme/Users', status: 200, ms: 3, ip: '127.0.0.1' };
    logger.child({ reqId: 'req-1' }).info(fields, 'request');
    requestLineLogger(logger).info({ reqId: 'req-1', ...fields }, 'request');
    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[1]!)).toBe(withoutTime(lines[0]!));
  });

  it('leaves the redaction of every other line in place', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    requestLineLogger(logger);
    logger.info({ user: { password: 'hunter2' }, token: 'abc' }, 'secrets');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('hunter2');
    expect(JSON.parse(lines[0]!)).toMatchObject({ user: { password: '[redacted]' }, token: '[redacted]' });
  });
});

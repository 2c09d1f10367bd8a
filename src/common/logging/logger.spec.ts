import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferedDestination, createLogger, requestLineWriter, type RequestLine } from './logger.js';

const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '"time":"T"');

describe('requestLineWriter', () => {
  const lines: RequestLine[] = [
    { reqId: 'req-1', method: 'GET', url: '/scim/v2/acme/Users', status: 200, ms: 3, ip: '127.0.0.1' },
    { reqId: 'f0569d51-0e95-4065-a65c-9ead2f686bea', method: 'PATCH', url: '/scim/v2/acme/Users/"quoted"\\back', status: 400, ms: 0, ip: '::1' },
    { reqId: 'r', method: 'GET', url: '/a/%C3%A9/\u00e9/\u{1F600}/\u2028/\ttab', status: 404, ms: 1234, ip: '10.0.0.1' },
  ];

  it('writes the bytes pino writes for the same fields (time aside)', () => {
    const written: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void written.push(line) });
    const write = requestLineWriter(logger);
    for (const line of lines) {
      logger.child({ reqId: line.reqId }).info({ method: line.method, url: line.url, status: line.status, ms: line.ms, ip: line.ip }, 'request');
      write(line);
    }
    expect(written).toHaveLength(2 * lines.length);
    for (let i = 0; i < lines.length; i++) {
      expect(withoutTime(written[2 * i + 1]!)).toBe(withoutTime(written[2 * i]!));
      expect(JSON.parse(written[2 * i + 1]!)).toMatchObject({ level: 'info', service: 'latchkey', ...lines[i], msg: 'request' });
    }
  });

  it('keeps any URL valid JSON, lone surrogates and control characters included', () => {
    const written: string[] = [];
    const write = requestLineWriter(createLogger('info', { write: (line: string) => void written.push(line) }));
    const url = '/x/\ud800/\u0000/\u001f/"}';
    write({ reqId: 'r', method: 'GET', url, status: 404, ms: 1, ip: '127.0.0.1' });
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect((JSON.parse(written[0]!) as { url: string }).url).toBe(url);
  });

  it('honours the logger level', () => {
    const written: string[] = [];
    const write = requestLineWriter(createLogger('warn', { write: (line: string) => void written.push(line) }));
    write({ reqId: 'r', method: 'GET', url: '/', status: 200, ms: 1, ip: '127.0.0.1' });
    expect(written).toEqual([]);
  });

  it('leaves the redaction of every other line in place', () => {
    const written: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void written.push(line) });
    requestLineWriter(logger);
    logger.info({ user: { password: 'hunter2' }, token: 'abc' }, 'secrets');
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain('hunter2');
    expect(JSON.parse(written[0]!)).toMatchObject({ user: { password: '[redacted]' }, token: '[redacted]' });
  });
});

describe('bufferedDestination', () => {
  it('holds a line while the buffer is short, and writes it within about a second on a quiet service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-log-'));
    const file = join(dir, 'out.log');
    const destination = bufferedDestination(openSync(file, 'w'));
    try {
      const logger = createLogger('info', destination);
      logger.info({ event: 'started' }, 'listening');
      await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(file, 'utf8')).toBe(''); // buffered: one write per 12 KiB under load
      await new Promise((r) => setTimeout(r, 2400)); // the timer fires at 1 s; the rest is slack for a busy machine
      const written = readFileSync(file, 'utf8');
      expect(written.endsWith('\n')).toBe(true);
      expect(JSON.parse(written)).toMatchObject({ level: 'info', event: 'started', msg: 'listening' });
    } finally {
      // end() closes the descriptor and stops the timer (it must never write to a reused descriptor number).
      await new Promise((r) => {
        destination.once('close', r);
        destination.end();
      });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

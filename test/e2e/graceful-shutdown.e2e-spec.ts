import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { drainAndClose } from '../../src/bootstrap/graceful-shutdown.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { listen } from '../utils/raw-http.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/** A client on one connection: what it has read so far, and whether the server closed it. */
class RawClient {
  readonly socket: Socket;
  private data = '';
  private closedFlag = false;
  private readonly waiters: (() => void)[] = [];
  readonly connected: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d: Buffer) => {
      this.data += d.toString('utf8');
      this.wake();
    });
    this.socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (done() ? resolve() : this.waiters.push(check));
      check();
    });
  }

  /** Reads one whole response (Content-Length framed) and returns it; the buffer keeps the rest. */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const complete = () => {
      const end = this.data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = /content-length: *(\d+)/i.exec(this.data.slice(0, end));
      return this.data.length >= end + 4 + Number(length?.[1] ?? 0);
    };
    await this.until(() => complete() || this.closedFlag);
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`no response, got ${JSON.stringify(this.data.slice(0, 200))}`);
    const [statusLine, ...lines] = this.data.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const length = Number(headers['content-length'] ?? 0);
    const body = this.data.slice(end + 4, end + 4 + length);
    this.data = this.data.slice(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }

  closed(): Promise<void> {
    return this.until(() => this.closedFlag);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }
}

function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

describe('graceful shutdown', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
    port = await listen(t);
  });
  afterAll(async () => {
    await t.db.drop();
  });

  it('turns readiness 503 at once, closes the listener after the delay, finishes requests in flight and closes their connections, then the pool', async () => {
    // A keep-alive client, idle when the listener closes.
    const idle = new RawClient(port);
    await idle.connected;
    idle.socket.write(get('/health'));
    const first = await idle.response();
    expect(first.status).toBe(200);
    expect(first.headers.connection).not.toBe('close');

    // A sign-in whose body is still arriving when the listener closes.
    const body = JSON.stringify({ email: tenant.admin.email, password: 'not-the-password-at-all' });
    const slow = new RawClient(port);
    await slow.connected;
    const received = new Promise((resolve) => t.http.once('request', resolve));
    slow.socket.write(
      `POST /api/t/${tenant.slug}/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await received;

    const logs: string[] = [];
    const drained = drainAndClose(t.app, { delaySeconds: 1, timeoutSeconds: 30 }, createLogger('info', { write: (l: string) => void logs.push(l) }));

    // During the delay: readiness 503, everything else served, new connections accepted.
    const during = new RawClient(port);
    await during.connected;
    during.socket.write(get('/health/ready'));
    const ready = await during.response();
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'stopping' });
    during.socket.write(get('/health'));
    expect((await during.response()).status).toBe(200);

    // After the delay: the listener is closed and the idle keep-alive connection with it.
    await waitFor(() => !t.http.listening);
    await idle.closed();
    await expect(refused(port)).resolves.toBe(true);

    // The request in flight still gets its whole answer, and its connection is closed after it.
    slow.socket.write(body.slice(10));
    const answer = await slow.response();
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_credentials', message: expect.any(String) });
    expect(answer.headers.connection).toBe('close');
    await slow.closed();

    await expect(drained).resolves.toBe(true);
    expect(t.app.get(DataSource).isInitialized).toBe(false);
    expect(during.isClosed).toBe(true);
    expect(logs.some((l) => l.includes('requests still in flight'))).toBe(false);
  });
});

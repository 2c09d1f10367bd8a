import { connect, type Socket } from 'node:net';
import type { TestApp } from './test-app.js';

/** What came back on a raw connection: the parsed response (if any) and when the server closed it. */
export interface RawResponse {
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent until the server closed the connection (or the test gave up). */
  closedAfterMs: number;
  closedByServer: boolean;
}

/** Starts the app listening on a free loopback port (for tests that need real sockets); returns the port. */
export async function listen(t: TestApp): Promise<number> {
  await t.app.listen(0, '127.0.0.1');
  const address = t.http.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function parse(raw: Buffer): Pick<RawResponse, 'status' | 'headers' | 'body'> {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return { status: null, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/**
 * Sends `parts` on a fresh connection, waiting `gapMs` between parts (a slow client), and reads
 * until the server closes the connection or `giveUpMs` passes. Only the first response is parsed.
 */
export function rawExchange(port: number, parts: (string | Buffer)[], opts: { gapMs?: number; giveUpMs?: number } = {}): Promise<RawResponse> {
  const { gapMs = 0, giveUpMs = 10_000 } = opts;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const started = Date.now();
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (byServer: boolean) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ ...parse(Buffer.concat(chunks)), closedAfterMs: Date.now() - started, closedByServer: byServer });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    let i = 0;
    const next = () => {
      if (closed || i >= parts.length) return;
      socket.write(parts[i++]!, () => {
        timer = setTimeout(next, gapMs);
      });
    };
    socket.on('connect', next);
  });
}

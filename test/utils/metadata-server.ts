import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An identity provider's metadata endpoint on 127.0.0.1 for the metadata URL tests: serves
 * `body` at any path unless a test sets its own `handler`; counts requests and TCP connections
 * (a refused private address must not even connect).
 */
export class MetadataServer {
  body = '';
  handler: Handler | null = null;
  readonly requests: string[] = [];
  connections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<MetadataServer> {
    const server = createServer();
    const m = new MetadataServer(server);
    server.on('connection', (socket) => {
      m.connections += 1;
      m.sockets.add(socket);
      socket.on('close', () => m.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      m.requests.push(req.url ?? '');
      if (m.handler) return m.handler(req, res);
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(m.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return m;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/federationmetadata.xml'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Back to serving `body`, with the counters reset. */
  reset(body = this.body): void {
    this.body = body;
    this.handler = null;
    this.requests.length = 0;
    this.connections = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

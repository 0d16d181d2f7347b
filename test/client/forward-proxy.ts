/**
 * A forward proxy for the client tests, on node:http (an HTTP implementation of its own, not basehttp's):
 * CONNECT tunnels and absolute-form requests, Basic credentials when asked, and a record of what it saw.
 */
import http from 'node:http';
import net from 'node:net';

export interface ForwardProxy {
  port: number;
  /** `host:port` of each CONNECT it carried, in order. */
  tunnels: string[];
  /** Each absolute-form request: its target and its Proxy-Authorization (undefined when none). */
  forwarded: Array<{ url: string; authorization: string | undefined }>;
  /** Connections clients opened to the proxy. */
  readonly connections: number;
  close: () => Promise<void>;
}

/**
 * Starts the proxy on 127.0.0.1. With `credentials` (`user:password`), a request without them gets a 407 and
 * a `Proxy-Authenticate` challenge; with `refuseTunnels`, every CONNECT gets a 403.
 */
export async function forwardProxy({
  credentials,
  refuseTunnels = false,
}: { credentials?: string; refuseTunnels?: boolean } = {}): Promise<ForwardProxy> {
  const expected =
    credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
  const allowed = (req: http.IncomingMessage): boolean =>
    expected === undefined || req.headers['proxy-authorization'] === expected;
  const tunnels: string[] = [];
  const forwarded: ForwardProxy['forwarded'] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const upstream = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    forwarded.push({ url: req.url!, authorization: req.headers['proxy-authorization'] });
    if (!allowed(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test proxy"', 'Content-Length': '0' }).end();
      return;
    }
    const target = new URL(req.url!);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
        agent: upstream,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => {});
    if (!allowed(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    if (refuseTunnels) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.push(req.url!);
    const { hostname, port } = new URL(`http://${req.url!}`);
    const origin = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      origin.write(head);
      origin.pipe(client);
      client.pipe(origin);
    });
    origin.on('error', () => client.destroy());
    client.on('close', () => origin.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    tunnels,
    forwarded,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        upstream.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

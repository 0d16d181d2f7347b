/**
 * Run by dual-stack.test.ts inside a network namespace of its own, where loopback is the only interface:
 * binds every address, as a server without a host does, which the tests may not do on the machine's own
 * network. Prints what IPv4 and IPv6 clients see, as JSON. Its argument is the test's namespace
 * (`/proc/self/ns/net`); run anywhere but in a different one, it binds nothing and exits 2.
 */
import { readlinkSync } from 'node:fs';
import net from 'node:net';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';

class WhoAmI extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = this.clientAddress[0];
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

/** The client address the server saw, or the connection error's code. */
function ask(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('end', () => resolve(out.slice(out.indexOf('\r\n\r\n') + 4)));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  });
}

async function probe(address: { host?: string; ipv6Only?: boolean }): Promise<Record<string, string>> {
  const server = new HTTPServer({ ...address, port: 0 }, WhoAmI, { logStream: null });
  await server.listen();
  const serving = server.serveForever();
  try {
    return {
      bound: server.serverAddress[0],
      ipv4: await ask(server.serverPort, '127.0.0.1'),
      ipv6: await ask(server.serverPort, '::1'),
    };
  } finally {
    await server.shutdown();
    await serving;
  }
}

const parentNamespace = process.argv[2];
if (parentNamespace === undefined || parentNamespace === readlinkSync('/proc/self/ns/net')) {
  process.stderr.write(
    'dual-stack-probe: refusing to bind every address outside a network namespace of its own ' +
      "(run it as dual-stack.test.ts does: unshare -n … dual-stack-probe.js <the caller's /proc/self/ns/net>)\n",
  );
  process.exit(2);
}

const result = {
  dualStack: await probe({}),
  ipv6Only: await probe({ host: '::', ipv6Only: true }),
};
process.stdout.write(JSON.stringify(result));

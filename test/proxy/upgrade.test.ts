/**
 * Upgrades through the reverse proxy, over real sockets: the `ws` client and Python's `websockets` through
 * ProxyHandler to a basehttp acceptWebSocket backend and to a `ws` server; a backend refusing the upgrade,
 * one that is down, a tunnel cut at shutdown, and dot segments refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { BaseHTTPRequestHandler, ProxyHandler } from '../../src/index.js';
import { TUNNEL_KEEPALIVE_MS } from '../../src/handlers/proxy/join.js';
import { curl } from '../helpers/curl.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const run = promisify(execFile);

/** basehttp's own WebSocket echo, offering subprotocol `chat` and permessage-deflate. */
class EchoBackend extends BaseHTTPRequestHandler {
  doGET(): void {
    const ws = this.acceptWebSocket({ protocols: ['chat'], compress: true });
    ws.onmessage = (event) => ws.send(event.data);
  }
}

/** A `ws` client through the proxy: resolves once open, with the socket. */
function open(port: number, path: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, ['chat'], options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends `text` and resolves with the next message. */
function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()));
    ws.send(text);
  });
}

/** The status a refused handshake got, and its body. */
function refusal(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.on('open', () => reject(new Error('opened')));
    ws.on('error', () => {});
  });
}

const PYTHON_WEBSOCKETS = `
import asyncio, sys
from websockets import connect
async def main():
    async with connect(sys.argv[1], subprotocols=['chat']) as ws:
        await ws.send('from python')
        print(ws.subprotocol, await ws.recv())
asyncio.run(main())
`;

describe('WebSocket through the reverse proxy to a basehttp backend', () => {
  let backend: RunningServer;
  let proxy: RunningServer;
  before(async () => {
    backend = await startServer(EchoBackend);
    proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/ws/', target: `http://127.0.0.1:${backend.port}/` }] }),
    );
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('negotiates the subprotocol and permessage-deflate end to end (ws client), one access line', async () => {
    const ws = await open(proxy.port, '/ws/echo');
    assert.equal(ws.protocol, 'chat');
    assert.match(ws.extensions, /permessage-deflate/);
    const big = 'compressible '.repeat(100_000);
    assert.equal(await echo(ws, 'hello'), 'hello');
    assert.equal(await echo(ws, big), big);
    await new Promise((resolve) => ws.once('close', resolve).close(1000));
    assert.equal(proxy.log.filter((line) => /"GET \/ws\/echo HTTP\/1\.1" 101/.test(line)).length, 1);
    assert.equal(backend.log.filter((line) => /"GET \/echo HTTP\/1\.1" 101/.test(line)).length, 1);
  });

  it('carries Python websockets', async () => {
    const { stdout } = await run('/usr/bin/python3', [
      '-c',
      PYTHON_WEBSOCKETS,
      `ws://127.0.0.1:${proxy.port}/ws/echo`,
    ]);
    assert.equal(stdout.trim(), 'chat from python');
  });

  it('has the kernel probe both sockets of an idle tunnel (TCP keepalive), so a vanished peer is found', async () => {
    const ws = await open(proxy.port, '/ws/echo');
    try {
      await echo(ws, 'x');
      const clientPort = (ws as unknown as { _socket: net.Socket })._socket.localPort!;
      // The proxy's two tunnel sockets: the one the client reached, and the one to the backend (the only
      // connection to it: upgrades go on a connection of their own). `ss -o` shows each socket's timer: the
      // keepalive one once the socket is idle (while bytes wait for an ACK it shows the retransmit timer).
      const filter = `( ( sport = :${proxy.port} and dport = :${clientPort} ) or dport = :${backend.port} )`;
      let lines: string[] = [];
      for (let tries = 0; tries < 50; tries++) {
        const { stdout } = await run('ss', ['-tnoH', 'state', 'established', filter]);
        lines = stdout.trim().split('\n');
        if (lines.length === 2 && lines.every((line) => line.includes('timer:(keepalive,'))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(lines.length, 2, lines.join('\n'));
      for (const line of lines) {
        const timer = /timer:\(keepalive,(\d+)(?:\.\d+)?(min|sec|ms)/.exec(line);
        assert.ok(timer !== null, `no keepalive timer: ${line}`);
        const unit = timer[2] === 'min' ? 60 : timer[2] === 'ms' ? 0.001 : 1;
        assert.ok(Number(timer[1]) * unit <= TUNNEL_KEEPALIVE_MS / 1000, line);
      }
    } finally {
      ws.terminate();
    }
  });

  it('ends the tunnel when the client goes: the backend sees its socket close', async () => {
    const closed = new Promise<number>((resolve) => {
      const watch = setInterval(() => {
        if (backend.server.connections.size === 0) {
          clearInterval(watch);
          resolve(0);
        }
      }, 20);
    });
    const ws = await open(proxy.port, '/ws/echo');
    await echo(ws, 'x');
    ws.terminate();
    assert.equal(await closed, 0);
  });
});

describe('WebSocket through the reverse proxy to a ws server', () => {
  let wss: WebSocketServer;
  let proxy: RunningServer;
  let seen: http.IncomingHttpHeaders = {};
  before(async () => {
    wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: true,
      handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
      verifyClient: ({ req }: { req: http.IncomingMessage }) => {
        seen = req.headers;
        return req.url !== '/forbidden';
      },
    });
    wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
    await new Promise((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as net.AddressInfo;
    proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${port}` }] }),
    );
  });
  after(async () => {
    await proxy.close();
    await new Promise((resolve) => wss.close(resolve));
  });

  it('passes Upgrade and Connection: upgrade on with the forwarding fields, and the answer back', async () => {
    const ws = await open(proxy.port, '/chat');
    assert.equal(ws.protocol, 'chat');
    assert.match(ws.extensions, /permessage-deflate/);
    assert.equal(await echo(ws, 'through'), 'through');
    assert.equal(seen.upgrade, 'websocket');
    assert.equal(seen.connection, 'upgrade');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.host, `127.0.0.1:${(wss.address() as net.AddressInfo).port}`);
    ws.close();
  });

  it('relays a refusal (401 from verifyClient) as a response', async () => {
    const { status } = await refusal(proxy.port, '/forbidden');
    assert.equal(status, 401);
  });
});

describe('upgrade answers other than 101', () => {
  it('relays a 403 with its body, and does not reuse that backend connection', async () => {
    let ended!: () => void;
    const proxyLeft = new Promise<void>((resolve) => (ended = resolve));
    const backend = http.createServer((_req, res) => res.end('plain'));
    backend.on('upgrade', (_req, socket: net.Socket) => {
      socket.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nnot here!');
      socket.once('end', ended);
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const port = (backend.address() as net.AddressInfo).port;
    const proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${port}` }] }),
    );
    try {
      assert.deepEqual(await refusal(proxy.port, '/x'), { status: 403, body: 'not here!' });
      // Resolves only once the proxy ends the connection the 403 came on.
      await proxyLeft;
    } finally {
      await proxy.close();
      backend.closeAllConnections();
      backend.close();
    }
  });

  it('answers 502 when the backend is down', async () => {
    const spare = net.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const port = (spare.address() as net.AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    const proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${port}` }] }),
    );
    try {
      assert.equal((await refusal(proxy.port, '/chat')).status, 502);
    } finally {
      await proxy.close();
    }
  });

  it('answers 504 when the backend does not answer the upgrade in time', async () => {
    const silent = net.createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${port}` }], timeout: 200 }),
    );
    try {
      assert.equal((await refusal(proxy.port, '/chat')).status, 504);
    } finally {
      await proxy.close();
      silent.close();
    }
  });
});

describe('a tunnel at shutdown', () => {
  it('is cut at the shutdown deadline, on both sides', async () => {
    const backend = await startServer(EchoBackend);
    const proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${backend.port}` }] }),
    );
    try {
      const ws = await open(proxy.port, '/echo');
      assert.equal(await echo(ws, 'before'), 'before');
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      await proxy.server.shutdown(100);
      assert.equal(await closed, 1006);
      for (let i = 0; i < 100 && backend.server.connections.size > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(backend.server.connections.size, 0);
    } finally {
      await proxy.close();
      await backend.close();
    }
  });
});

describe('dot segments on proxied paths', () => {
  it('answers 400 for . and .. segments, raw or percent-encoded (curl --path-as-is)', async () => {
    const backend = await startServer(EchoBackend);
    const proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/api/', target: `http://127.0.0.1:${backend.port}/` }] }),
    );
    try {
      for (const path of [
        '/api/../x',
        '/api/%2e%2e/x',
        '/api/%2E./x',
        '/api/./x',
        '/api/a/..',
        '/api/.%2e?q=1',
      ]) {
        const r = await curl(proxy.port, path, '--path-as-is');
        assert.equal(r.status, 400, path);
      }
      assert.equal(backend.log.length, 0, backend.log.join('\n'));
      const fine = await curl(proxy.port, '/api/a..b/.hidden/...?x=/../');
      assert.notEqual(fine.status, 400);
    } finally {
      await proxy.close();
      await backend.close();
    }
  });
});

/** A handler taking its connection out of HTTP: upgrades (101) and CONNECT tunnels, over real sockets. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler, TakeOverError } from '../../src/index.js';
import { responseHasBody } from '../../src/protocol/framing.js';
import { exchangeRaw, serverForSuite, startServer } from './../helpers/server.js';

const run = promisify(execFile);

/** A toy protocol after `Upgrade: shout`: every byte comes back upper-cased. */
class ShoutHandler extends BaseHTTPRequestHandler {
  static shutdownCalls = 0;

  doGET(): void {
    if (this.headers.get('upgrade') !== 'shout') {
      this.sendJson(200, { upgraded: false });
      return;
    }
    this.sendResponse(101);
    this.sendHeader('Upgrade', 'shout');
    this.sendHeader('Connection', 'Upgrade');
    this.endHeaders();
    const { socket, head } = this.takeOverConnection(() => {
      ShoutHandler.shutdownCalls++;
      socket.write('BYE');
    });
    if (head.length > 0) socket.write(head.toString('latin1').toUpperCase());
    socket.on('data', (chunk: Buffer) => socket.write(chunk.toString('latin1').toUpperCase()));
    socket.resume();
  }

  /** Misuse: the connection is taken over without a 101. */
  doPUT(): void {
    this.takeOverConnection();
  }

  /** Misuse: a 101 and then nothing. */
  doPATCH(): void {
    this.sendResponse(101);
    this.sendHeader('Upgrade', 'shout');
    this.endHeaders();
  }

  /** Misuse: taking over before reading the body. */
  doPOST(): void {
    this.sendResponse(101);
    this.sendHeader('Upgrade', 'shout');
    this.takeOverConnection();
  }
}

/** A socket that collects what arrives and can wait for a given text. */
function rawClient(port: number): {
  socket: net.Socket;
  text: () => string;
  waitFor: (s: string) => Promise<void>;
} {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (s: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never got ${JSON.stringify(s)}: ${received}`)), 5000);
      const check = (): void => {
        if (received.includes(s)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { socket, text: () => received, waitFor };
}

const UPGRADE = 'GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n';

describe('taking a connection over after 101 Switching Protocols', () => {
  const s = serverForSuite(ShoutHandler, { keepAliveTimeout: 100, headersTimeout: 100, bodyTimeout: 100 });

  it('hands over the socket and the bytes sent after the head; HTTP-looking bytes are no longer parsed', async () => {
    const c = rawClient(s.port);
    c.socket.write(`${UPGRADE}first`);
    await c.waitFor('FIRST');
    assert.match(c.text(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(c.text(), /\r\nUpgrade: shout\r\n/);
    assert.doesNotMatch(c.text(), /Content-Length|Transfer-Encoding/i, 'a 101 has no body framing');
    // Past every HTTP timeout of this server: the engine no longer times the connection.
    await new Promise((r) => setTimeout(r, 400));
    c.socket.write('GET / HTTP/1.1\r\n\r\n');
    await c.waitFor('GET / HTTP/1.1\r\n\r\n'.toUpperCase());
    assert.equal(c.socket.destroyed, false);
    c.socket.destroy();
  });

  it('a request that asks to upgrade but is not taken over is an ordinary request, and keep-alive goes on', async () => {
    const req = 'GET /plain HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    const { text } = await exchangeRaw(s.port, [req, req], { idleMs: 50 });
    assert.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2, `two answers on one connection: ${text}`);
    assert.match(text, /\{"upgraded":false\}/);
    assert.doesNotMatch(text, /Connection: close/);
  });

  it('taking over without a 101 is a TakeOverError: a 500 and a log line', async () => {
    const { text } = await exchangeRaw(s.port, 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n', {
      responses: 1,
    });
    assert.match(text, /^HTTP\/1\.1 500 /);
    assert.ok(
      s.log.some((l) => l.includes('TakeOverError') && l.includes('101 Switching Protocols')),
      s.log.join('\n'),
    );
  });

  it('a 101 the handler does not follow with a take-over closes the connection, with a log line', async () => {
    const { text, closed } = await exchangeRaw(
      s.port,
      'PATCH /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n',
    );
    assert.match(text, /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(text, /500/, 'nothing follows the 101 on the wire');
    assert.equal(closed, true);
    assert.ok(
      s.log.some((l) => l.includes('did not take the connection over')),
      s.log.join('\n'),
    );
  });

  it('taking over before the request body is read is refused', async () => {
    const { text } = await exchangeRaw(
      s.port,
      'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc',
      {
        responses: 1,
      },
    );
    assert.match(text, /^HTTP\/1\.1 500 /);
    assert.ok(
      s.log.some((l) => l.includes('request body must be read before the connection leaves HTTP')),
      s.log.join('\n'),
    );
  });

  it('a 101 cannot answer an HTTP/1.0 request (RFC 9110 §7.8)', async () => {
    const { text } = await exchangeRaw(
      s.port,
      'GET /x HTTP/1.0\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n',
    );
    assert.match(text, /^HTTP\/1\.[01] 500 /);
    assert.ok(
      s.log.some((l) => l.includes('HTTP/1.0 request')),
      s.log.join('\n'),
    );
  });

  it('TakeOverError is a named error with a stable code', () => {
    const err = new TakeOverError('x');
    assert.equal(err.name, 'TakeOverError');
    assert.equal(err.code, 'BH_ERR_TAKE_OVER');
  });
});

describe('shutdown and a connection taken over', () => {
  it('is counted, told once when the stop begins, and cut at the deadline with a log line', async () => {
    const s = await startServer(ShoutHandler);
    const c = rawClient(s.port);
    c.socket.write(UPGRADE);
    await c.waitFor('\r\n\r\n');
    assert.equal(s.server.connections.size, 1);
    const closed = new Promise<void>((resolve) => c.socket.on('close', () => resolve()));
    const before = ShoutHandler.shutdownCalls;
    const stopping = s.server.shutdown(300);
    await c.waitFor('BYE');
    await stopping;
    await closed;
    assert.equal(ShoutHandler.shutdownCalls, before + 1);
    assert.equal(s.server.connections.size, 0);
    assert.ok(
      s.log.some((l) => l.includes('shutdown deadline: cut "GET /x HTTP/1.1" (connection taken over)')),
      s.log.join('\n'),
    );
  });
});

/** A forward proxy's CONNECT: 200, then bytes piped both ways to the target. */
class TunnelHandler extends BaseHTTPRequestHandler {
  async doCONNECT(): Promise<void> {
    const colon = this.path.lastIndexOf(':');
    if (this.headers.has('x-refuse-take-over')) {
      this.sendResponse(200, 'Connection Established');
      this.endHeaders();
      return;
    }
    const upstream = net.connect(Number(this.path.slice(colon + 1)), this.path.slice(0, colon));
    upstream.on('error', () => upstream.destroy());
    try {
      await once(upstream, 'connect');
    } catch {
      this.sendError(502);
      return;
    }
    this.sendResponse(200, 'Connection Established');
    const { socket, head } = this.takeOverConnection();
    upstream.write(head);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    socket.resume();
  }
}

class OkHandler extends BaseHTTPRequestHandler {
  doGET(): void {
    this.sendJson(200, { through: 'tunnel', path: this.path });
  }
}

describe('CONNECT tunnels', () => {
  const proxy = serverForSuite(TunnelHandler);
  const origin = serverForSuite(OkHandler);

  it('curl goes through a tunnel a handler made (200, then the connection taken over)', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '--max-time',
      '5',
      '--proxytunnel',
      '-x',
      `http://127.0.0.1:${proxy.port}`,
      `http://127.0.0.1:${origin.port}/hello`,
    ]);
    assert.deepEqual(JSON.parse(stdout), { through: 'tunnel', path: '/hello' }, proxy.log.join('\n'));
  });

  it('a 2xx to CONNECT that is not taken over closes the connection, without Connection: close', async () => {
    const { text, closed } = await exchangeRaw(
      proxy.port,
      `CONNECT 127.0.0.1:${origin.port} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nX-Refuse-Take-Over: 1\r\n\r\n`,
    );
    assert.match(text, /^HTTP\/1\.1 200 Connection Established\r\n/);
    assert.doesNotMatch(text, /Connection: close|Content-Length|Transfer-Encoding/i);
    assert.equal(closed, true);
  });

  it('a 2xx answer to CONNECT has no body in either role (RFC 9112 §6.3)', () => {
    assert.equal(responseHasBody('CONNECT', 200), false);
    assert.equal(responseHasBody('CONNECT', 407), true);
    assert.equal(responseHasBody('GET', 200), true);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BadStatusLine,
  HTTPConnection,
  IncompleteRead,
  InvalidURL,
  RemoteDisconnected,
  TimeoutError,
} from '../../src/index.js';
import { serverForSuite } from '../helpers/server.js';
import { Echo } from '../server/handlers.js';

/** A raw TCP server that answers every connection with `reply(socket, request)`; for misbehaving peers. */
async function rawServer(
  reply: (socket: net.Socket, request: string) => void,
): Promise<{ port: number; requests: string[]; close: () => void }> {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (d) => {
      requests.push(d.toString('latin1'));
      reply(socket, d.toString('latin1'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, requests, close: () => server.close() };
}

describe('HTTPConnection against basehttp', () => {
  const ctx = serverForSuite(Echo);

  it('GET, HEAD, POST and a chunked PUT on one kept-alive socket', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port, { timeout: 5000 });
    await conn.request('GET', '/index.html', { headers: { Accept: 'text/html' } });
    let res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal(res.reason, 'OK');
    assert.equal(res.version, 11);
    assert.equal(res.getheader('content-type'), 'text/plain');
    assert.equal(res.getheader('x-missing', 'none'), 'none');
    assert.equal((await res.read()).toString(), 'hello /index.html');
    assert.equal(res.isclosed(), true);
    const socket = conn.sock;
    const localPort = socket!.localPort;

    await conn.request('HEAD', '/');
    res = await conn.getresponse();
    assert.equal(res.getheader('content-length'), '42');
    assert.equal((await res.read()).length, 0, 'no body for HEAD even with a Content-Length');

    await conn.request('POST', '/p', { body: 'payload' });
    res = await conn.getresponse();
    assert.equal((await res.read()).toString(), 'payload');

    async function* pieces(): AsyncGenerator<string> {
      yield 'chunk-1 ';
      yield 'chunk-2';
    }
    await conn.request('PUT', '/c', { body: pieces() });
    res = await conn.getresponse();
    assert.equal(res.getheader('x-method'), 'PUT');
    assert.equal((await res.read()).toString(), 'chunk-1 chunk-2');

    assert.equal(conn.sock, socket, 'the same socket served every request');
    assert.equal(conn.sock!.localPort, localPort);
    conn.close();
  });

  it('reads in pieces with read(n) and by async iteration', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    const body = 'x'.repeat(100_000);
    await conn.request('POST', '/', { body });
    const res = await conn.getresponse();
    assert.equal((await res.read(10)).toString(), 'xxxxxxxxxx');
    let rest = 0;
    for await (const piece of res) rest += piece.length;
    assert.equal(rest, body.length - 10);
    conn.close();
  });

  it('Expect: 100-continue sends the body after the interim response', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    await conn.request('POST', '/e', { body: 'after continue', headers: { Expect: '100-continue' } });
    const res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal((await res.read()).toString(), 'after continue');
    conn.close();
  });

  it('refuses CR/LF in the URL, method or headers before sending anything', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    await assert.rejects(conn.request('GET', '/a\r\nX-Injected: 1'), InvalidURL);
    await assert.rejects(conn.request('GET', '/a b'), InvalidURL);
    await assert.rejects(conn.request('GE\nT', '/'), InvalidURL);
    await assert.rejects(conn.request('GET', '/', { headers: { 'X-A': 'v\r\nX-B: w' } }), InvalidURL);
    await assert.rejects(conn.request('GET', '/', { headers: { 'Bad Name': 'v' } }), InvalidURL);
    assert.equal(conn.sock, null, 'nothing was sent: the connection was never opened');
  });
});

describe('HTTPConnection against other servers', () => {
  it("Python's http.server: HTTP/1.0 responses, a new connection each time", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-client-py-'));
    writeFileSync(join(dir, 'file.txt'), 'from python\n');
    // Port 0 picks a free port; Python prints the one it got ("Serving HTTP on 127.0.0.1 port N ...").
    const py = spawn('python3', ['-u', '-m', 'http.server', '0', '-b', '127.0.0.1', '-d', dir], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        py.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = / port (\d+) /.exec(out);
          if (m) resolve(Number(m[1]));
        });
        py.once('exit', (code) => reject(new Error(`python exited ${code}`)));
      });
      const conn = new HTTPConnection('127.0.0.1', port, { timeout: 5000 });
      for (let i = 0; i < 2; i++) {
        await conn.request('GET', '/file.txt');
        const res = await conn.getresponse();
        assert.equal(res.status, 200);
        assert.equal(res.version, 10);
        assert.equal((await res.read()).toString(), 'from python\n');
      }
      await conn.request('GET', '/missing');
      assert.equal((await conn.getresponse()).status, 404);
      conn.close();
    } finally {
      py.kill();
    }
  });

  it('a garbage answer is BadStatusLine', async () => {
    const s = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), BadStatusLine);
    s.close();
  });

  it('a server that closes a kept-alive socket: RemoteDisconnected, then a fresh connection works', async () => {
    // Answers the first request on each connection and drops the connection at the second.
    const seen = new WeakMap<net.Socket, number>();
    const s = await rawServer((socket) => {
      const n = seen.get(socket) ?? 0;
      seen.set(socket, n + 1);
      if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/1');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'ok');
    await conn.request('GET', '/2');
    await assert.rejects(conn.getresponse(), RemoteDisconnected);
    await conn.request('GET', '/3');
    assert.equal(
      (await (await conn.getresponse()).read()).toString(),
      'ok',
      'a new connection after the failure',
    );
    s.close();
  });

  it('a stalled server times out', async () => {
    const s = await rawServer(() => {});
    const conn = new HTTPConnection('127.0.0.1', s.port, { timeout: 200 });
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), TimeoutError);
    s.close();
  });

  it('a huge Content-Length that never comes is an IncompleteRead with what arrived', async () => {
    const s = await rawServer((socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 9007199254740991\r\n\r\nhello'),
    );
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    const res = await conn.getresponse();
    await assert.rejects(
      res.read(),
      (err: unknown) => err instanceof IncompleteRead && err.partial.toString() === 'hello',
    );
    s.close();
  });

  it('skips interim responses, but not a flood of them', async () => {
    const ok = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
      ),
    );
    const conn = new HTTPConnection('127.0.0.1', ok.port);
    await conn.request('GET', '/');
    const res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal((await res.read()).toString(), 'x');
    ok.close();
    const flood = await rawServer((socket) => socket.write('HTTP/1.1 102 Processing\r\n\r\n'.repeat(150)));
    const c2 = new HTTPConnection('127.0.0.1', flood.port);
    await c2.request('GET', '/');
    await assert.rejects(c2.getresponse(), BadStatusLine);
    flood.close();
  });

  it('reads chunked responses with trailers, close-delimited bodies, and unfolds obs-fold', async () => {
    const s = await rawServer((socket, request) => {
      if (request.startsWith('GET /chunked'))
        socket.write(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Folded: a\r\n  b\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n',
        );
      else socket.end('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/chunked');
    const res = await conn.getresponse();
    assert.equal(res.getheader('x-folded'), 'a b');
    assert.equal((await res.read()).toString(), 'abcde');
    await conn.request('GET', '/close');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'until the end');
    s.close();
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type net from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import {
  BadStatusLine,
  BaseHTTPRequestHandler,
  Pool,
  RemoteDisconnected,
  TimeoutError,
  closeAllPools,
  request,
} from '../../src/index.js';
import { serverForSuite, withServer } from '../helpers/server.js';
import { Stream } from '../server/handlers.js';
import { eventually } from '../helpers/wait.js';
import { rawServer } from './raw-server.js';

const TEXT = 'compressed text '.repeat(100);
const ENCODED: Record<string, Buffer> = {
  gzip: zlib.gzipSync(TEXT),
  br: zlib.brotliCompressSync(TEXT),
  deflate: zlib.deflateSync(TEXT),
  'raw-deflate': zlib.deflateRawSync(TEXT),
};

/** Answers with the port the client connected from (to count connections), redirects and encoded bodies. */
class Where extends BaseHTTPRequestHandler {
  async doGET(): Promise<void> {
    if (this.path.startsWith('/slow')) await new Promise((r) => setTimeout(r, 50));
    const redirect = /^\/(30\d)\/(.*)$/.exec(this.path);
    if (redirect) {
      this.sendResponse(Number(redirect[1]));
      this.sendHeader('Location', `/${redirect[2]}`);
      this.sendHeader('Content-Length', 0);
      this.endHeaders();
      return;
    }
    const coding = /^\/encoded\/(.*)$/.exec(this.path)?.[1];
    const body =
      coding !== undefined
        ? ENCODED[coding]!
        : Buffer.from(
            JSON.stringify({
              port: this.clientAddress[1],
              method: this.command,
              path: this.path,
              auth: this.headers.get('authorization') ?? null,
              cookie: this.headers.get('cookie') ?? null,
              body: (await this.readBody()).toString(),
            }),
          );
    this.sendResponse(200);
    if (coding !== undefined) this.sendHeader('Content-Encoding', coding.replace('raw-', ''));
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }

  doPOST(): Promise<void> {
    return this.doGET();
  }
}

interface Seen {
  port: number;
  method: string;
  path: string;
  auth: string | null;
  cookie: string | null;
  body: string;
}

after(() => closeAllPools());

describe('Pool', () => {
  const ctx = serverForSuite(Where);

  it('reuses one keep-alive connection for sequential requests', async () => {
    const pool = new Pool(`http://127.0.0.1:${ctx.port}`);
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const res = await pool.request({ path: `/n${i}` });
      ports.add(((await res.json()) as Seen).port);
    }
    assert.equal(ports.size, 1);
    assert.equal(pool.size, 1);
    pool.close();
  });

  it('refuses settings that make no sense, and origins it cannot serve', () => {
    assert.throws(
      () => new Pool('http://127.0.0.1', { connections: 0 }),
      /connections must be a whole number/,
    );
    assert.throws(
      () => new Pool('http://127.0.0.1', { pipelining: 1.5 }),
      /pipelining must be a whole number/,
    );
    assert.throws(() => new Pool('ftp://127.0.0.1'), /Unsupported protocol: ftp:/);
  });

  it('keeps to its connection limit under concurrent requests', async () => {
    const pool = new Pool(`http://127.0.0.1:${ctx.port}`, { connections: 3 });
    const results = await Promise.all(
      Array.from(
        { length: 12 },
        async (_, i) => (await (await pool.request({ path: `/slow${i}` })).json()) as Seen,
      ),
    );
    assert.deepEqual(
      results.map((r) => r.path),
      Array.from({ length: 12 }, (_, i) => `/slow${i}`),
    );
    assert.equal(new Set(results.map((r) => r.port)).size, 3);
    pool.close();
  });

  it('pipelines idempotent requests when asked, never one behind a POST', async () => {
    // Answers each request 20 ms after it arrives, and notes how many were outstanding on arrival.
    const arrivals: string[] = [];
    const parsed = new WeakMap<net.Socket, number>();
    let outstanding = 0;
    const s = await rawServer((socket, received) => {
      const requests = received.split('\r\n\r\n').slice(0, -1);
      for (const head of requests.slice(parsed.get(socket) ?? 0)) {
        const line = head.split('\r\n')[0]!;
        arrivals.push(`${line.split(' ').slice(0, 2).join(' ')} with ${outstanding} outstanding`);
        outstanding++;
        setTimeout(() => {
          outstanding--;
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${line.length}\r\n\r\n${line}`);
        }, 20);
      }
      parsed.set(socket, requests.length);
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`, { connections: 1, pipelining: 3 });
    const texts = await Promise.all(
      [{ path: '/a' }, { path: '/b' }, { path: '/c', method: 'POST' }, { path: '/d', method: 'DELETE' }].map(
        async (r) => (await pool.request(r)).text(),
      ),
    );
    assert.deepEqual(texts, ['GET /a HTTP/1.1', 'GET /b HTTP/1.1', 'POST /c HTTP/1.1', 'DELETE /d HTTP/1.1']);
    assert.equal(s.connections, 1);
    assert.ok(arrivals.includes('GET /b with 1 outstanding'), `pipelined: ${arrivals.join('; ')}`);
    assert.ok(arrivals.includes('POST /c with 0 outstanding'), `POST alone: ${arrivals.join('; ')}`);
    pool.close();
    await s.close();
  });

  it('closes idle connections after idleTimeout', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const pool = new Pool(`http://127.0.0.1:${s.port}`, { idleTimeout: 50 });
    assert.equal(await (await pool.request({ path: '/' })).text(), 'ok');
    assert.equal(pool.size, 1);
    await eventually(() => s.open === 0, 's.open === 0');
    await eventually(() => pool.size === 0, 'pool.size === 0');
    assert.equal(await (await pool.request({ path: '/' })).text(), 'ok', 'a new connection after that');
    assert.equal(s.connections, 2);
    pool.close();
    await s.close();
  });

  it('an idle connection does not keep the process alive', async () => {
    // This server never closes a connection: only the client can end it.
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nidle'));
    const script = `
      const { Pool } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/index.js', import.meta.url)))});
      const pool = new Pool('http://127.0.0.1:${s.port}', { idleTimeout: 60000 });
      console.log(await (await pool.request({ path: '/' })).text());`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) =>
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an ExecFileException is an Error; its type, built from Omit<>, hides that
        err === null ? resolve(stdout) : reject(err),
      ),
    );
    assert.equal(out, 'idle\n', 'the process ended on its own, long before idleTimeout');
    await s.close();
  });

  it('retries an idempotent request once when a reused connection turns out closed', async () => {
    // Answers the first request on each connection; drops the connection at the second.
    const s = await rawServer((socket, received) => {
      if (received.split('HTTP/1.1\r\n').length === 2)
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    assert.equal(await (await pool.request({ path: '/1' })).text(), 'ok');
    assert.equal(await (await pool.request({ path: '/2' })).text(), 'ok', 'retried on a fresh connection');
    assert.equal(s.connections, 2);
    await assert.rejects(pool.request({ method: 'POST', path: '/3', body: 'x' }), RemoteDisconnected);
    assert.equal(s.connections, 2, 'a POST is not sent again');
    pool.close();
    await s.close();
  });

  it('does not retry once a byte of the answer came back', async () => {
    const s = await rawServer((socket, received) => {
      if (received.split('HTTP/1.1\r\n').length === 2)
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.end('HTTP/1.1 2');
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    assert.equal(await (await pool.request({ path: '/1' })).text(), 'ok');
    await assert.rejects(pool.request({ path: '/2' }), BadStatusLine);
    assert.equal(s.connections, 1, 'no second attempt');
    pool.close();
    await s.close();
  });

  it('an abort during the body closes the connection; the pool carries on', async () => {
    const s = await rawServer((socket, received) => {
      if (received.includes('/stall')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`, { connections: 1 });
    const controller = new AbortController();
    const res = await pool.request({ path: '/stall', signal: controller.signal });
    const iterator = res[Symbol.asyncIterator]();
    assert.equal(((await iterator.next()).value as Buffer).toString(), 'first');
    const waiting = pool.request({ path: '/after' });
    controller.abort();
    await assert.rejects(iterator.next(), { name: 'AbortError' });
    await eventually(() => s.open <= 1 && s.connections === 2, 's.open <= 1 && s.connections === 2');
    assert.equal(await (await waiting).text(), 'ok', 'the waiting request got a new connection');
    pool.close();
    await s.close();
  });

  it('an abort while waiting for a connection fails only that request', async () => {
    const s = await rawServer((socket, received) => {
      if (!received.includes('/stall')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`, { connections: 1, timeout: 5000 });
    const stalled = pool.request({ path: '/stall' });
    await eventually(() => s.connections === 1, 's.connections === 1');
    const controller = new AbortController();
    const queued = pool.request({ path: '/q', signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await assert.rejects(queued, /changed my mind/);
    assert.equal(s.connections, 1);
    pool.close();
    await s.close();
    await assert.rejects(stalled);
  });

  it('a body nobody reads stops the socket: the server is held back, memory stays flat', async () => {
    await withServer(Stream, {}, async (server) => {
      const total = 256 * 1024 * 1024;
      const pool = new Pool(`http://127.0.0.1:${server.port}`);
      const res = await pool.request({ path: `/?n=${total}` });
      const iterator = res[Symbol.asyncIterator]();
      let received = ((await iterator.next()).value as Buffer).length;
      await new Promise((r) => setTimeout(r, 400));
      // Kernel buffers on both sides plus the client's high-water mark: a few MiB at most, not 256.
      assert.ok(Stream.produced < 32 * 1024 * 1024, `produced ${Stream.produced} bytes while nobody read`);
      for (let r = await iterator.next(); r.done !== true; r = await iterator.next())
        received += r.value.length;
      assert.equal(received, total);
      pool.close();
    });
  });

  it('leaving a body half-read closes its connection', async () => {
    const pool = new Pool(`http://127.0.0.1:${ctx.port}`);
    const res = await pool.request({ path: '/encoded/gzip' });
    for await (const piece of res) {
      assert.ok(piece.length > 0);
      break;
    }
    assert.equal(res.isclosed(), true);
    await eventually(() => pool.size === 0, 'pool.size === 0');
    pool.close();
  });
});

describe('request()', () => {
  const ctx = serverForSuite(Where);

  it('redirects: returned as they are by default, followed up to maxRedirects', async () => {
    const base = `http://127.0.0.1:${ctx.port}`;
    const direct = await request(`${base}/302/page`);
    assert.equal(direct.status, 302);
    assert.equal(direct.headers.get('location'), '/page');
    await direct.text();
    const followed = await request(`${base}/301/302/page?q=1`, { maxRedirects: 2 });
    assert.equal(followed.status, 200);
    assert.equal(followed.url, `${base}/page?q=1`);
    await followed.text();
    const limited = await request(`${base}/301/302/page`, { maxRedirects: 1 });
    assert.equal(limited.status, 302, 'past the limit, the last redirect is the answer');
    assert.equal(limited.url, `${base}/302/page`);
    await limited.text();
  });

  it('303 (and 301/302 after POST) turn into GET without a body; 307 sends the body again', async () => {
    const base = `http://127.0.0.1:${ctx.port}`;
    const seeOther = (await (
      await request(`${base}/303/seen`, { method: 'POST', body: 'form', maxRedirects: 1 })
    ).json()) as Seen;
    assert.deepEqual([seeOther.method, seeOther.body], ['GET', '']);
    const temporary = (await (
      await request(`${base}/307/seen`, { method: 'POST', body: 'again', maxRedirects: 1 })
    ).json()) as Seen;
    assert.deepEqual([temporary.method, temporary.body], ['POST', 'again']);
    async function* once(): AsyncGenerator<string> {
      yield 'streamed';
    }
    const spent = await request(`${base}/307/seen`, { method: 'POST', body: once(), maxRedirects: 1 });
    assert.equal(spent.status, 307, 'a stream cannot be sent twice: the redirect is the answer');
    await spent.text();
  });

  it('Authorization and Cookie stay with their origin', async () => {
    const base = `http://127.0.0.1:${ctx.port}`;
    const headers = { Authorization: 'Bearer t', Cookie: 'a=1' };
    const same = (await (await request(`${base}/302/x`, { maxRedirects: 1, headers })).json()) as Seen;
    assert.deepEqual([same.auth, same.cookie], ['Bearer t', 'a=1']);
    await withServer(
      class extends BaseHTTPRequestHandler {
        doGET(): void {
          this.sendResponse(301);
          this.sendHeader('Location', `${base}/elsewhere`);
          this.sendHeader('Content-Length', 0);
          this.endHeaders();
        }
      },
      {},
      async (other) => {
        const res = await request(`http://127.0.0.1:${other.port}/x`, { maxRedirects: 1, headers });
        const seen = (await res.json()) as Seen;
        assert.equal(seen.path, '/elsewhere');
        assert.deepEqual([seen.auth, seen.cookie], [null, null], 'another origin gets neither');
      },
    );
  });

  for (const coding of Object.keys(ENCODED)) {
    it(`decodes ${coding} when asked, and only then`, async () => {
      const url = `http://127.0.0.1:${ctx.port}/encoded/${coding}`;
      assert.equal(await (await request(url, { decompress: true })).text(), TEXT);
      const raw = await request(url);
      assert.deepEqual(await raw.arrayBuffer(), ENCODED[coding]);
    });
  }

  it('timeout: a server that does not answer is a TimeoutError', async () => {
    const s = await rawServer(() => {});
    await assert.rejects(request(`http://127.0.0.1:${s.port}/`, { timeout: 100 }), TimeoutError);
    await s.close();
  });

  it('an AbortSignal cancels a request and closes its socket', async () => {
    const s = await rawServer(() => {});
    const controller = new AbortController();
    const pending = request(`http://127.0.0.1:${s.port}/`, { signal: controller.signal });
    await eventually(
      () => s.received.length === 1 && s.received[0] !== '',
      "s.received.length === 1 && s.received[0] !== ''",
    );
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    await eventually(() => s.open === 0, 's.open === 0');
    await s.close();
  });
});

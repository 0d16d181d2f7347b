import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { BaseHTTPRequestHandler, Pool, closeAllPools, request } from '../../src/index.js';
import { serverForSuite, withServer } from '../helpers/server.js';

/** Answers with the port the client connected from, so tests can count connections. */
class Where extends BaseHTTPRequestHandler {
  async doGET(): Promise<void> {
    if (this.path.startsWith('/slow')) await new Promise((r) => setTimeout(r, 50));
    if (this.path.startsWith('/old')) {
      this.sendResponse(302);
      this.sendHeader('Location', this.path.replace('/old', '/new'));
      this.sendHeader('Content-Length', 0);
      this.endHeaders();
      return;
    }
    const body = this.path.startsWith('/gz')
      ? zlib.gzipSync('compressed text '.repeat(100))
      : Buffer.from(
          JSON.stringify({
            port: this.clientAddress[1],
            path: this.path,
            auth: this.headers.get('authorization') ?? null,
          }),
        );
    this.sendResponse(200);
    if (this.path.startsWith('/gz')) this.sendHeader('Content-Encoding', 'gzip');
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

after(() => closeAllPools());

describe('Pool and request()', () => {
  const ctx = serverForSuite(Where);

  it('reuses one keep-alive connection for sequential requests', async () => {
    const pool = new Pool(`http://127.0.0.1:${ctx.port}`);
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const res = await pool.request({ path: `/n${i}` });
      ports.add(((await res.json()) as { port: number }).port);
    }
    assert.equal(ports.size, 1);
    pool.close();
  });

  it('keeps to its connection limit under concurrent requests', async () => {
    const pool = new Pool(`http://127.0.0.1:${ctx.port}`, { connections: 3 });
    const results = await Promise.all(
      Array.from(
        { length: 12 },
        async (_, i) =>
          (await (await pool.request({ path: `/slow${i}` })).json()) as { port: number; path: string },
      ),
    );
    assert.deepEqual(
      results.map((r) => r.path),
      Array.from({ length: 12 }, (_, i) => `/slow${i}`),
    );
    assert.ok(new Set(results.map((r) => r.port)).size <= 3);
    pool.close();
  });

  it('retries an idempotent request once when a reused connection turns out closed', async () => {
    const seen = new WeakMap<net.Socket, number>();
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', () => {
        const n = seen.get(socket) ?? 0;
        seen.set(socket, n + 1);
        if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else socket.destroy(); // the server dropped the kept-alive connection
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    assert.equal(await (await pool.request({ path: '/1' })).text(), 'ok');
    assert.equal(await (await pool.request({ path: '/2' })).text(), 'ok', 'retried on a fresh connection');
    await assert.rejects(pool.request({ method: 'POST', path: '/3', body: 'x' }).then((r) => r.text()));
    pool.close();
    server.close();
  });

  it('redirects: returned as they are by default, followed when asked, Authorization not sent across origins', async () => {
    const base = `http://127.0.0.1:${ctx.port}`;
    const direct = await request(`${base}/old/page`);
    assert.equal(direct.status, 302);
    await direct.text();
    const followed = await request(`${base}/old/page?q=1`, {
      maxRedirects: 3,
      headers: { Authorization: 'Bearer t' },
    });
    assert.equal(followed.status, 200);
    assert.equal(followed.url, `${base}/new/page?q=1`);
    assert.equal(((await followed.json()) as { auth: string }).auth, 'Bearer t', 'same origin keeps it');
    await withServer(
      class extends BaseHTTPRequestHandler {
        doGET(): void {
          this.sendResponse(301);
          this.sendHeader('Location', `${base}/new/elsewhere`);
          this.sendHeader('Content-Length', 0);
          this.endHeaders();
        }
      },
      {},
      async (other) => {
        const res = await request(`http://127.0.0.1:${other.port}/x`, {
          maxRedirects: 1,
          headers: { Authorization: 'Bearer secret' },
        });
        assert.equal(
          ((await res.json()) as { auth: string | null }).auth,
          null,
          'another origin does not get it',
        );
      },
    );
  });

  it('decompresses when asked', async () => {
    const res = await request(`http://127.0.0.1:${ctx.port}/gz`, { decompress: true });
    assert.equal(await res.text(), 'compressed text '.repeat(100));
  });

  it('an AbortSignal cancels a request and closes its socket', async () => {
    const server = net.createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(
      request(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, {
        signal: controller.signal,
      }),
      { name: 'AbortError' },
    );
    await new Promise((r) =>
      server.getConnections((_e, n) => (n === 0 ? r(n) : setTimeout(() => r(n), 100))),
    );
    server.close();
  });
});

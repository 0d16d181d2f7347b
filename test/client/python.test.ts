/** The client against Python's http.server: the stock `python3 -m http.server` and an HTTP/1.1 handler. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HTTPConnection, Pool, closeAllPools, fetch, request } from '../../src/index.js';
import { startPython } from './python-process.js';

after(() => closeAllPools());

const SCRIPT = fileURLToPath(new URL('../../../test/client/python_server.py', import.meta.url));

describe("HTTPConnection against the stock 'python3 -m http.server'", () => {
  it('HTTP/1.0 responses: a file, a 404, a new connection each time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-client-py-'));
    writeFileSync(join(dir, 'file.txt'), 'from python\n');
    // Port 0 picks a free port; Python prints the one it got ("Serving HTTP on 127.0.0.1 port N ...").
    const { port, child } = await startPython(
      ['-m', 'http.server', '0', '-b', '127.0.0.1', '-d', dir],
      / port (\d+) /,
    );
    try {
      const conn = new HTTPConnection('127.0.0.1', port, { timeout: 5000 });
      for (let i = 0; i < 2; i++) {
        await conn.request('GET', '/file.txt');
        const res = await conn.getresponse();
        assert.equal(res.status, 200);
        assert.equal(res.version, 10);
        assert.equal((await res.read()).toString(), 'from python\n');
      }
      await conn.request('HEAD', '/file.txt');
      const head = await conn.getresponse();
      assert.equal(head.getheader('content-length'), '12');
      assert.equal((await head.read()).length, 0);
      await conn.request('GET', '/missing');
      const missing = await conn.getresponse();
      assert.equal(missing.status, 404);
      await missing.read();
      conn.close();
    } finally {
      child.kill();
    }
  });
});

/** Runs the handler script for the tests of the suite this is called in; the function gives its port. */
function pythonHandler(): () => number {
  let port = 0;
  let child: ChildProcess | null = null;
  before(async () => {
    ({ port, child } = await startPython([SCRIPT], /^(\d+)\n/));
  });
  after(() => child?.kill());
  return () => port;
}

describe('HTTPConnection and Pool against an HTTP/1.1 handler on http.server', () => {
  const port = pythonHandler();

  it('GET, HEAD, POST and PUT on one kept-alive connection', async () => {
    const conn = new HTTPConnection('127.0.0.1', port(), { timeout: 5000 });
    await conn.request('GET', '/port');
    const first = await conn.getresponse();
    const clientPort = (await first.read()).toString();
    assert.equal(clientPort, String(conn.sock!.localPort), 'Python saw the port this socket has');
    await conn.request('HEAD', '/');
    const head = await conn.getresponse();
    assert.equal(head.getheader('content-length'), '14');
    assert.equal((await head.read()).length, 0);
    await conn.request('POST', '/', { body: 'posted' });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'POST posted');
    await conn.request('PUT', '/', { body: Buffer.from('put') });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'PUT put');
    await conn.request('GET', '/port');
    assert.equal((await (await conn.getresponse()).read()).toString(), clientPort, 'the same connection');
    conn.close();
  });

  it('chunked both ways: a streamed upload and a chunked answer', async () => {
    const conn = new HTTPConnection('127.0.0.1', port(), { timeout: 5000 });
    async function* parts(): AsyncGenerator<Buffer> {
      for (const p of ['streamed ', 'in ', 'three']) yield Buffer.from(p);
    }
    await conn.request('PUT', '/', { body: parts() });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'PUT streamed in three');
    await conn.request('GET', '/chunked');
    const res = await conn.getresponse();
    assert.equal(res.getheader('transfer-encoding'), 'chunked');
    assert.equal((await res.read()).toString(), 'from python');
    conn.close();
  });

  it('Expect: 100-continue: the body goes after the interim answer', async () => {
    // The wait for 100 is longer than the whole timeout: only Python's `100 Continue` lets the body go.
    const conn = new HTTPConnection('127.0.0.1', port(), { timeout: 5000, continueTimeout: 60_000 });
    await conn.request('POST', '/', { body: 'continued', headers: { Expect: '100-continue' } });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'POST continued');
    conn.close();
  });

  it('the Pool reuses one connection; redirects and gzip through request()', async () => {
    const pool = new Pool(`http://127.0.0.1:${port()}`, { connections: 1 });
    const ports = new Set<string>();
    for (let i = 0; i < 5; i++) ports.add(await (await pool.request({ path: '/port' })).text());
    assert.equal(ports.size, 1);
    pool.close();
    const moved = await request(`http://127.0.0.1:${port()}/moved`, { maxRedirects: 1 });
    assert.equal(moved.url, `http://127.0.0.1:${port()}/port`);
    assert.match(await moved.text(), /^\d+$/);
    const zipped = await request(`http://127.0.0.1:${port()}/gzip`, { decompress: true });
    assert.equal(await zipped.text(), 'gzipped by python');
  });
});

describe('fetch() against an HTTP/1.1 handler on http.server', () => {
  const port = pythonHandler();

  it('keep-alive GETs, a chunked body, a redirect and a gzip body', async () => {
    const base = `http://127.0.0.1:${port()}`;
    const ports = new Set<string>();
    for (let i = 0; i < 3; i++) ports.add(await (await fetch(`${base}/port`)).text());
    assert.equal(ports.size, 1, 'one kept-alive connection');
    assert.equal(await (await fetch(`${base}/chunked`)).text(), 'from python');
    const moved = await fetch(`${base}/moved`);
    assert.equal(moved.redirected, true);
    assert.equal(moved.url, `${base}/port`);
    assert.match(await moved.text(), /^\d+$/);
    const zipped = await fetch(`${base}/gzip`);
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.equal(await zipped.text(), 'gzipped by python');
  });

  it('POST bodies: a string, bytes, and a stream sent chunked', async () => {
    const base = `http://127.0.0.1:${port()}`;
    assert.equal(await (await fetch(base, { method: 'POST', body: 'text' })).text(), 'POST text');
    const bytes = new TextEncoder().encode('bytes');
    assert.equal(await (await fetch(base, { method: 'PUT', body: bytes })).text(), 'PUT bytes');
    const stream = new Blob(['streamed ', 'body']).stream();
    const res = await fetch(base, { method: 'POST', body: stream, duplex: 'half' });
    assert.equal(await res.text(), 'POST streamed body');
  });
});

/** HTTPServer on a Unix domain socket, with basehttp's clients and curl, and the socket file's life. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  BaseHTTPRequestHandler,
  HTTPConnection,
  HTTPServer,
  Pool,
  SocketPathError,
  closeAllPools,
  request,
  serve,
} from '../../src/index.js';

const run = promisify(execFile);

/** Answers with the method, path and Host. */
class Echo extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from(`${this.command} ${this.path} host=${this.headers.get('host')}`);
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

/** Runs `fn` against an HTTPServer on a new socket path, then shuts it down. */
async function onUnixSocket(fn: (path: string, server: HTTPServer) => Promise<void>): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'basehttp-uds-')), 'server.sock');
  const server = new HTTPServer({ socketPath: path }, Echo, { logStream: null });
  await server.start();
  try {
    await fn(path, server);
  } finally {
    await server.shutdown(500);
  }
  return path;
}

describe('HTTPServer on a Unix socket', () => {
  it('serves HTTPConnection, Pool (kept alive) and request() with socketPath, and curl --unix-socket', async () => {
    const path = await onUnixSocket(async (socketPath, server) => {
      assert.deepEqual(server.serverAddress, [socketPath, 0]);
      assert.ok(lstatSync(socketPath).isSocket());
      const conn = new HTTPConnection('localhost', 80, { socketPath });
      await conn.request('GET', '/conn');
      assert.equal((await (await conn.getresponse()).read()).toString(), 'GET /conn host=localhost');
      conn.close();
      const pool = new Pool('http://app.test', { socketPath });
      for (let i = 1; i <= 3; i++) {
        const res = await pool.request({ path: `/pool/${i}` });
        assert.equal(await res.text(), `GET /pool/${i} host=app.test`);
      }
      assert.equal(pool.size, 1);
      assert.equal(server.connections.size, 1, 'one connection carried the three requests');
      pool.close();
      const res = await request('http://app.test:8080/req', { socketPath });
      assert.equal(await res.text(), 'GET /req host=app.test:8080');
      closeAllPools();
      const { stdout } = await run('curl', ['-sS', '--unix-socket', socketPath, 'http://curl.test/c']);
      assert.equal(stdout, 'GET /c host=curl.test');
    });
    assert.equal(existsSync(path), false, 'the socket file is removed on shutdown');
  });

  it('replaces a stale socket file; refuses a live socket and a file of another kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-uds-'));
    const stale = join(dir, 'stale.sock');
    // A process that exits without closing its server leaves the file behind, as a crash does.
    execFileSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`,
    ]);
    assert.ok(lstatSync(stale).isSocket());
    const server = new HTTPServer({ socketPath: stale }, Echo, { logStream: null });
    await server.start();
    const res = await request('http://localhost/stale', { socketPath: stale });
    assert.equal(await res.text(), 'GET /stale host=localhost');
    closeAllPools();
    const second = new HTTPServer({ socketPath: stale }, Echo, { logStream: null });
    await assert.rejects(second.listen(), (err: Error) => {
      assert.ok(err instanceof SocketPathError);
      assert.equal(err.code, 'BH_ERR_SOCKET_PATH');
      assert.match(err.message, /is in use: a server is listening on it/);
      return true;
    });
    await server.shutdown(500);
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me');
    const onFile = new HTTPServer({ socketPath: file }, Echo, { logStream: null });
    await assert.rejects(onFile.listen(), SocketPathError);
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  });

  it('serve({ fetch, socketPath }): a Fetch-API app on a Unix socket, read by curl', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'basehttp-uds-')), 'app.sock');
    const server = serve({
      fetch: (req) => new Response(`fetch ${new URL(req.url).pathname}`),
      socketPath: path,
      quiet: true,
    });
    await server.ready();
    try {
      assert.equal(server.url, 'http://localhost/');
      const { stdout } = await run('curl', ['-s', '--unix-socket', path, 'http://localhost/x']);
      assert.equal(stdout, 'fetch /x');
    } finally {
      await server.close();
    }
    assert.equal(existsSync(path), false, 'the socket file is removed on close');
  });
});

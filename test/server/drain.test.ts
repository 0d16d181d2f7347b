/** Stopping without losing requests, and the deadlines and caps that bound what a client may hold. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseServeArgs, type ServeArgs } from '../../src/cli/serve-args.js';
import { BaseHTTPRequestHandler, SimpleHTTPRequestHandler } from '../../src/index.js';
import { parseResponses, startServer } from '../helpers/server.js';
import { Hello, Slow } from './handlers.js';

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** A raw client socket that collects what it receives and notes when the server closes. */
async function rawClient(port: number): Promise<{
  socket: net.Socket;
  received: () => Buffer;
  closed: Promise<void>;
  /** Resolves once `count` complete responses have arrived (or the connection closed). */
  responses: (count: number) => Promise<number>;
}> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  socket.on('data', (d) => chunks.push(d));
  await new Promise((r) => socket.once('connect', r));
  const count = (): number => {
    try {
      return parseResponses(Buffer.concat(chunks)).length;
    } catch {
      return 0; // a response still arriving
    }
  };
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed,
    responses: async (n) => {
      for (let i = 0; i < 500 && count() < n && !isClosed; i++) await new Promise((r) => setTimeout(r, 10));
      return count();
    },
  };
}

describe('shutdown drains persistent connections without losing a request', () => {
  it('a request sent on an idle keep-alive connection after shutdown() began is answered, with Connection: close', async () => {
    const s = await startServer(Hello);
    const c = await rawClient(s.port);
    c.socket.write(GET('/1'));
    assert.equal(await c.responses(1), 1);
    const stopping = s.server.shutdown(5000);
    // The client sends its next request as the server starts to stop (it may have been on the wire already).
    await new Promise((r) => setImmediate(r));
    c.socket.write(GET('/2'));
    assert.equal(await c.responses(2), 2, 'the second request was answered');
    await c.closed;
    await stopping;
    const [first, second] = parseResponses(c.received());
    assert.equal(first!.headers.get('connection'), undefined);
    assert.equal(second!.body.toString(), 'hello /2');
    assert.deepEqual(second!.headers.get('connection'), ['close']);
    await s.close();
  });

  it('a response that went out persistent before shutdown() lets the next request through, answered with close', async () => {
    class Gate extends BaseHTTPRequestHandler {
      static release: () => void = () => {};
      async doGET(): Promise<void> {
        this.sendResponse(200);
        this.sendHeader('Content-Length', 2);
        this.endHeaders();
        this.flushHeaders();
        if (this.path === '/1') await new Promise<void>((r) => (Gate.release = r));
        this.wfile.write('ok');
      }
    }
    const s = await startServer(Gate);
    const c = await rawClient(s.port);
    c.socket.write(GET('/1'));
    while (s.server.connections.size === 0 || !c.received().length)
      await new Promise((r) => setTimeout(r, 5));
    const stopping = s.server.shutdown(5000);
    Gate.release();
    assert.equal(await c.responses(1), 1);
    c.socket.write(GET('/2'));
    assert.equal(await c.responses(2), 2, 'the request sent after the persistent response was answered');
    await c.closed;
    await stopping;
    assert.deepEqual(parseResponses(c.received())[1]!.headers.get('connection'), ['close']);
    await s.close();
  });

  it('an idle connection that stays quiet is closed after shutdownGrace, before the deadline', async () => {
    const s = await startServer(Hello, { shutdownGrace: 100 });
    const c = await rawClient(s.port);
    c.socket.write(GET('/1'));
    assert.equal(await c.responses(1), 1);
    let cut = false;
    const stopping = s.server.shutdown(60_000).then(() => (cut = true));
    await c.closed;
    await stopping;
    assert.ok(cut);
    await s.close();
  });
});

describe('the shutdown deadline', () => {
  it('is 30 s by default on the command line; 0 means wait for every request', async () => {
    assert.equal((parseServeArgs([]) as ServeArgs).shutdownTimeout, 30_000);
    const s = await startServer(Slow);
    const c = await rawClient(s.port);
    c.socket.write(GET('/slow'));
    while (s.server.connections.size === 0) await new Promise((r) => setTimeout(r, 5));
    await s.server.shutdown(0);
    const [res] = parseResponses(c.received());
    assert.equal(res?.body.toString(), 'slow', 'the request in flight finished');
    await s.close();
  });

  it('logs each response it cuts: client, request, body bytes sent of how many', async () => {
    class Endless extends BaseHTTPRequestHandler {
      doGET(): Promise<void> {
        this.sendResponse(200);
        this.sendHeader('Content-Length', 100_000);
        this.endHeaders();
        this.wfile.write(Buffer.alloc(1000, 0x61));
        return new Promise(() => {}); // never finishes
      }
    }
    const s = await startServer(Endless);
    const c = await rawClient(s.port);
    c.socket.write(GET('/big'));
    while (c.received().length < 1000) await new Promise((r) => setTimeout(r, 5));
    await s.server.shutdown(100);
    s.server.flushLog();
    assert.ok(
      s.log.some((line) =>
        /^127\.0\.0\.1 - - \[.*\] shutdown deadline: cut "GET \/big HTTP\/1\.1" after 1000 of 100000 body bytes$/.test(
          line,
        ),
      ),
      s.log.join('\n'),
    );
    await s.close();
  });
});

/**
 * Sends a POST head declaring `length` body bytes, then one body byte every `everyMs` until the server
 * closes or `length` bytes went out; tells what came back and whether the server closed before the body
 * was complete.
 */
async function trickleBody(
  port: number,
  path: string,
  length: number,
  everyMs: number,
): Promise<{ text: string; cutEarly: boolean }> {
  const c = await rawClient(port);
  c.socket.write(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${length}\r\n\r\n`);
  let closed = false;
  void c.closed.then(() => (closed = true));
  let sent = 0;
  while (!closed && sent < length) {
    await new Promise((r) => setTimeout(r, everyMs));
    if (!closed) c.socket.write('x');
    sent++;
  }
  const cutEarly = closed && sent < length;
  c.socket.destroy();
  return { text: c.received().toString('latin1'), cutEarly };
}

class ReadsBody extends BaseHTTPRequestHandler {
  async doPOST(): Promise<void> {
    const body = await this.readBody();
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

describe('request deadlines', () => {
  it('requestTimeout ends a body that keeps trickling in, with 408 and a close', async () => {
    const s = await startServer(ReadsBody, { requestTimeout: 300, minBodyRate: 0 });
    const r = await trickleBody(s.port, '/up', 200, 30);
    assert.ok(r.cutEarly, 'the server closed before the body was complete');
    assert.match(r.text, /^HTTP\/1\.1 408 Request not received within the request timeout\r\n/);
    await s.close();
  });

  it('minBodyRate ends a body slower than the rate once the grace is over, with 408 and a close', async () => {
    const s = await startServer(ReadsBody, { minBodyRate: 1000, minBodyRateGrace: 200 });
    const r = await trickleBody(s.port, '/up', 200, 30);
    assert.ok(r.cutEarly, 'the server closed before the body was complete');
    assert.match(r.text, /^HTTP\/1\.1 408 Request body arrived slower than the minimum data rate\r\n/);
    await s.close();
  });

  it('a body sent at a fair pace is read whole under the same limits', async () => {
    const s = await startServer(ReadsBody, {
      minBodyRate: 1000,
      minBodyRateGrace: 200,
      requestTimeout: 5000,
    });
    const c = await rawClient(s.port);
    c.socket.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n`);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 50));
      c.socket.write(Buffer.alloc(10_000, 0x61));
    }
    assert.equal(await c.responses(1), 1);
    assert.equal(parseResponses(c.received())[0]!.body.length, 60000);
    c.socket.destroy();
    await s.close();
  });

  it('a refused body (the file server answers a POST with 405) is discarded for drainTimeout at most, then the connection closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-drain-'));
    const s = await startServer(SimpleHTTPRequestHandler.with({ directory: dir }), {
      drainTimeout: 300,
      minBodyRate: 0,
    });
    const r = await trickleBody(s.port, '/', 200, 30);
    assert.match(r.text, /^HTTP\/1\.1 405 /);
    assert.ok(r.cutEarly, 'the server stopped discarding before the body was complete');
    await s.close();
  });
});

describe('connection-level limits and the log', () => {
  it('maxConnections refuses connections beyond the cap, and the log says so once per interval', async () => {
    const s = await startServer(Hello, { maxConnections: 2 });
    const held = [await rawClient(s.port), await rawClient(s.port)];
    held[0]!.socket.write(GET('/1'));
    assert.equal(await held[0]!.responses(1), 1);
    while (s.server.connections.size < 2) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 3; i++) {
      const extra = await rawClient(s.port);
      extra.socket.write(GET('/over'));
      await extra.closed;
      assert.equal(extra.received().length, 0, 'a connection over the cap gets nothing');
    }
    held[1]!.socket.write(GET('/2'));
    assert.equal(await held[1]!.responses(1), 1, 'the connections under the cap are served');
    for (const c of held) c.socket.destroy();
    s.server.flushLog();
    const lines = s.log.filter((line) => line.includes('connection limit (2) reached'));
    assert.equal(lines.length, 1, s.log.join('\n'));
    await s.close();
    assert.match(
      s.log.at(-1)!,
      /^\[log\] 2 more "connection limit reached" lines in the last 10 s not logged/,
    );
  });

  it("a JSON log stays JSON: the server's own lines (the cap, a cut at the deadline) are objects too", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-json-log-'));
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(8 * 1024 * 1024));
    const s = await startServer(SimpleHTTPRequestHandler.with({ directory: dir, logFormat: 'json' }), {
      maxConnections: 1,
    });
    const downloader = await rawClient(s.port);
    downloader.socket.pause(); // reads nothing: the download is still in flight at the deadline
    downloader.socket.write(GET('/big.bin'));
    while (s.server.connections.size < 1) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 2; i++) {
      const extra = await rawClient(s.port);
      await extra.closed;
    }
    await s.server.shutdown(100);
    await s.close();
    downloader.socket.destroy();
    const entries = s.log.map((line) => JSON.parse(line) as { message: string; remote?: string });
    const messages = entries.map((e) => e.message).join('\n');
    assert.match(messages, /connection limit \(1\) reached/);
    assert.match(
      messages,
      /shutdown deadline: cut "GET \/big\.bin HTTP\/1\.1" after \d+ of 8388608 body bytes/,
    );
    assert.ok(
      entries.every((e) => e.remote === undefined || e.remote === '127.0.0.1'),
      messages,
    );
  });

  it('repeated refusals are logged a few at a time, then counted in one line (also with quiet)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-flood-'));
    const s = await startServer(SimpleHTTPRequestHandler.with({ directory: dir, quiet: true }));
    for (let i = 0; i < 30; i++) {
      const c = await rawClient(s.port);
      c.socket.write('\x00garbage\r\n\r\n');
      await c.closed;
    }
    await s.close();
    const refusals = s.log.filter((line) => / code 400, /.test(line) && !line.startsWith('[log]'));
    assert.ok(refusals.length <= 10, `${refusals.length} lines for 30 refusals`);
    assert.match(
      s.log.at(-1)!,
      /^\[log\] \d+ more "code 400 bad-start-line" lines in the last 10 s not logged; the last: /,
    );
  });
});

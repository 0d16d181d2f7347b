import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ClientDisconnected, type FetchServer } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { exchangeRaw, parseResponses } from '../helpers/server.js';
import { startFetch, within } from './fetch-helpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'basehttp-fetch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('serve() with a Hono app', () => {
  let server: FetchServer;
  let port: number;
  let log: string[];
  /** The SSE route waits for this before its second event. */
  let releaseSecond: () => void = () => {};
  /** Settled by the /forever route when its request's signal aborts, and when its stream is cancelled. */
  let aborted: Promise<unknown>;
  let cancelled: Promise<void>;

  const app = new Hono();
  app.get('/', (c) => c.text('Hello, World!'));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.query('q') }));
  app.get('/url', (c) => c.text(c.req.url));
  app.post('/echo', async (c) => c.json({ got: await c.req.json<unknown>() }, 201));
  app.post('/form', async (c) => {
    const body = await c.req.parseBody();
    const file = body['file'];
    return c.json({
      name: body['name'],
      file: file instanceof File ? { name: file.name, text: await file.text() } : null,
    });
  });
  app.get('/cookies', (c) => {
    c.header('Set-Cookie', 'a=1; Path=/', { append: true });
    c.header('Set-Cookie', 'b=2, with a comma', { append: true });
    return c.text('two cookies');
  });
  app.get('/sse', (c) =>
    streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'tick', data: 'one' });
      await new Promise<void>((resolve) => (releaseSecond = resolve));
      await stream.writeSSE({ event: 'tick', data: 'two' });
    }),
  );
  app.get('/forever', (c) => {
    const signal = c.req.raw.signal;
    aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
    let sent = 0;
    let onCancel: () => void = () => {};
    cancelled = new Promise((resolve) => (onCancel = resolve));
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Bounded: a server that never notices the client leaving ends the test by failing it, not hanging.
        if (sent++ > 500) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 10));
        controller.enqueue(new TextEncoder().encode(`tick ${sent}\n`));
      },
      cancel: () => onCancel(),
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  });
  app.get('/error', () => {
    throw new Error('boom');
  });
  // Hono would answer errors itself; rethrown, they reach the server's onError (default: 500 and a log line).
  app.onError((err) => {
    throw err;
  });

  before(async () => ({ server, port, log } = await startFetch(app.fetch)));
  after(() => server.close());

  it('routes, reads the query and answers JSON with its length', async () => {
    const r = await curl(port, '/users/42?q=x%20y');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { id: '42', q: 'x y' });
    assert.equal(r.fields.get('content-type'), 'application/json');
    assert.equal(r.fields.get('content-length'), String(Buffer.byteLength(r.body)));
    assert.equal((await curl(port, '/nowhere')).status, 404);
  });

  it('gives the app an absolute URL with the path as sent', async () => {
    const r = await curl(port, '/url?x=%41%2f', '-H', 'Host: example.test:8080');
    assert.equal(r.body, 'http://example.test:8080/url?x=%41%2f');
    const { text } = await exchangeRaw(port, 'GET http://other.test/url?y=1 HTTP/1.1\r\nHost: x\r\n\r\n', {
      responses: 1,
    });
    assert.equal(
      parseResponses(Buffer.from(text, 'latin1'))[0]!.body.toString(),
      'http://other.test/url?y=1',
    );
  });

  it('reads a JSON request body and sends the status the app chose', async () => {
    const r = await curl(port, '/echo', '-H', 'Content-Type: application/json', '--data', '{"a":[1,2]}');
    assert.equal(r.status, 201);
    assert.deepEqual(JSON.parse(r.body), { got: { a: [1, 2] } });
  });

  it('parses a multipart form sent by curl -F', async () => {
    const file = join(dir, 'note.txt');
    writeFileSync(file, 'hello from a file\n');
    const r = await curl(port, '/form', '-F', 'name=Ada', '-F', `file=@${file}`);
    assert.deepEqual(JSON.parse(r.body), {
      name: 'Ada',
      file: { name: 'note.txt', text: 'hello from a file\n' },
    });
  });

  it('sends each Set-Cookie as its own field line', async () => {
    const { stdout } = await run('curl', ['-sS', '-i', `http://127.0.0.1:${port}/cookies`]);
    const cookies = stdout.split('\r\n').filter((line) => /^set-cookie:/i.test(line));
    assert.deepEqual(cookies, ['set-cookie: a=1; Path=/', 'set-cookie: b=2, with a comma']);
  });

  it('answers HEAD with the head only, keeping the connection in step', async () => {
    const { bytes } = await exchangeRaw(
      port,
      'HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const [head, get] = parseResponses(bytes, new Set([0]));
    assert.equal(head!.status, 200);
    assert.equal(head!.body.length, 0);
    assert.equal(head!.headers.get('content-type')?.[0], 'text/plain;charset=UTF-8');
    assert.equal(get!.body.toString(), 'Hello, World!');
  });

  it('streams SSE event by event: the first arrives before the app sends the second', async () => {
    const child = spawn('curl', ['-sS', '-N', `http://127.0.0.1:${port}/sse`]);
    let out = '';
    const sawFirst = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('data: one')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await within(sawFirst, 5000, 'the first event');
    assert.ok(!out.includes('two'));
    releaseSecond();
    assert.equal(await within(exited, 5000, 'the end of the stream'), 0);
    assert.equal(out, 'event: tick\ndata: one\n\nevent: tick\ndata: two\n\n');
  });

  it('aborts request.signal and cancels the response stream when the client leaves', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.write('GET /forever HTTP/1.1\r\nHost: t\r\n\r\n');
    await within(
      new Promise((resolve) => socket.once('data', resolve)),
      5000,
      'the first bytes of the stream',
    );
    socket.destroy();
    const reason = await within(aborted, 5000, 'the abort');
    assert.ok(reason instanceof ClientDisconnected);
    await within(cancelled, 5000, 'the cancel');
  });

  it('answers a thrown error with a 500 and a log line, and keeps serving', async () => {
    const r = await curl(port, '/error');
    assert.equal(r.status, 500);
    assert.equal((await curl(port, '/')).body, 'Hello, World!');
    assert.ok(log.some((line) => line.includes('Exception in GET handler: Error: boom')));
    assert.ok(log.some((line) => line.includes('"GET /error HTTP/1.1" 500')));
  });
});

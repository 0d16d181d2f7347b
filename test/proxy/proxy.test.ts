import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { HTTPServer, ProxyHandler, SimpleHTTPRequestHandler, withProxy } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { curl } from '../helpers/curl.js';
import { collectingLog, exchangeRaw, startServer, type RunningServer } from '../helpers/server.js';
import { startBackend, type Backend, type Seen } from './backend.js';

const run = promisify(execFile);
const site = mkdtempSync(join(tmpdir(), 'basehttp-proxy-'));
writeFileSync(join(site, 'hello.txt'), 'from the directory\n');

/** Python's http.client through the proxy: `status`, then the body. */
const PYTHON_GET = `
import http.client, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))
conn.request(sys.argv[2], sys.argv[3], body=sys.argv[4].encode() if len(sys.argv) > 4 else None)
res = conn.getresponse()
print(res.status)
print(res.read().decode())
`;

describe('reverse proxy beside the file server', () => {
  let backend: Backend;
  let proxy: RunningServer;
  before(async () => {
    backend = await startBackend();
    const Handler = withProxy(SimpleHTTPRequestHandler.with({ directory: site }), {
      routes: [
        { prefix: '/api', target: `http://127.0.0.1:${backend.port}` },
        { prefix: '/strip/', target: `http://127.0.0.1:${backend.port}/echo/` },
      ],
      timeout: 1000,
    });
    proxy = await startServer(Handler);
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('sends /api/… to the backend with the path kept (curl), everything else to the directory', async () => {
    const r = await curl(proxy.port, '/api/echo?q=1');
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as Seen;
    assert.equal(seen.url, '/api/echo?q=1');
    assert.equal(seen.headers.host, `127.0.0.1:${backend.port}`);
    assert.equal((await curl(proxy.port, '/hello.txt')).body, 'from the directory\n');
    assert.equal((await curl(proxy.port, '/apiary')).status, 404);
  });

  it('strips a prefix when both it and the URL path end with /', async () => {
    const seen = JSON.parse((await curl(proxy.port, '/strip/a/b?c=d')).body) as Seen;
    assert.equal(seen.url, '/echo/a/b?c=d');
  });

  it('passes every method and its body (Python http.client), also those the file server lacks', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
      const { stdout } = await run('python3', [
        '-c',
        PYTHON_GET,
        String(proxy.port),
        method,
        '/api/x',
        'hello',
      ]);
      const [status, body] = stdout.split('\n');
      assert.equal(status, '200', method);
      const seen = JSON.parse(body!) as Seen;
      assert.equal(seen.method, method);
      assert.equal(seen.bytes, 5);
    }
  });

  it('answers HEAD with the Content-Length of the backend and no body; the connection serves on (curl)', async () => {
    const { stdout } = await run('curl', [
      ...['-sS', '-I', `http://127.0.0.1:${proxy.port}/api/big?mib=1`],
      `http://127.0.0.1:${proxy.port}/api/echo`,
    ]);
    const [first, second] = stdout.split('\r\n\r\n');
    assert.match(first!, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(first!, /\r\nContent-Length: 1048576(\r\n|$)/i);
    assert.match(second!, /^HTTP\/1\.1 200 OK\r\n/);
  });

  it('removes hop-by-hop fields both ways, those named in Connection included', async () => {
    const r = await curl(
      proxy.port,
      '/api/echo',
      ...['-H', 'Connection: keep-alive, X-Private', '-H', 'X-Private: secret', '-H', 'X-Public: yes'],
      ...['-H', 'Keep-Alive: timeout=9', '-H', 'TE: trailers', '-H', 'Proxy-Authorization: Basic eDp5'],
    );
    const seen = JSON.parse(r.body) as Seen;
    for (const name of ['x-private', 'keep-alive', 'te', 'proxy-authorization'])
      assert.equal(seen.headers[name], undefined, name);
    assert.equal(seen.headers['x-public'], 'yes');
    assert.equal(r.fields.get('x-hop'), undefined);
    assert.equal(r.fields.get('keep-alive'), undefined);
    assert.equal(r.fields.get('x-end-to-end'), 'passes');
  });

  it('adds X-Forwarded-For/-Proto/-Host and Forwarded, replacing what an untrusted client sent', async () => {
    const r = await curl(
      proxy.port,
      '/api/echo',
      ...['-H', 'X-Forwarded-For: 6.6.6.6', '-H', 'Forwarded: for=6.6.6.6', '-H', 'X-Forwarded-Host: evil'],
    );
    const { headers } = JSON.parse(r.body) as Seen;
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], `127.0.0.1:${proxy.port}`);
    assert.equal(headers.forwarded, `for=127.0.0.1;host="127.0.0.1:${proxy.port}";proto=http`);
  });

  it('answers 502 when the backend refuses the connection, with one line saying why', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await startServer(
      withProxy(SimpleHTTPRequestHandler.with({ directory: site }), {
        routes: [{ prefix: '/api', target: `http://127.0.0.1:${port}` }],
      }),
    );
    try {
      assert.equal((await curl(refused.port, '/api/x')).status, 502);
      const errors = refused.log.filter((line) => !line.includes('"GET /api/x'));
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /code 502, message Bad Gateway \(.*ECONNREFUSED/);
    } finally {
      await refused.close();
    }
  });

  it('answers 504 when the backend never answers', async () => {
    const r = await curl(proxy.port, '/api/hang');
    assert.equal(r.status, 504);
    assert.ok(proxy.log.some((line) => /code 504, message Gateway Timeout \(no answer from/.test(line)));
  });

  it('cuts the client off when the backend dies mid-body: curl reports a partial transfer', async () => {
    await assert.rejects(
      run('curl', ['-sS', '-o', '/dev/null', `http://127.0.0.1:${proxy.port}/api/die`]),
      (err: { code?: number }) => err.code === 18, // CURLE_PARTIAL_FILE: not a clean end
    );
    assert.ok(proxy.log.some((line) => /proxy to .* failed mid-response/.test(line)));
  });

  it('passes the first SSE event on while the backend holds the stream open', async () => {
    const events: string[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`http://127.0.0.1:${proxy.port}/api/sse`, resolve).on('error', reject);
    });
    assert.equal(res.headers['content-type'], 'text/event-stream');
    res.setEncoding('utf8');
    const next = (): Promise<string> => new Promise((resolve) => res.once('data', resolve));
    events.push(await next()); // the backend has sent only this one, and holds the stream open
    backend.sse('second');
    events.push(await next());
    const ended = new Promise((resolve) => res.on('end', resolve));
    backend.sse(null);
    await ended;
    assert.deepEqual(events, ['data: first\n\n', 'data: second\n\n']);
  });

  it('holds the backend back while the client does not read (backpressure)', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write('GET /api/flood?mib=256 HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    // Wait until the backend stops getting further (the pipes are full), at most 50 looks.
    let last = -1;
    for (let i = 0; i < 50 && backend.flooded() !== last; i++) {
      last = backend.flooded();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(backend.flooded() < 64 * 1024 * 1024, `the backend wrote ${backend.flooded()} bytes`);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await new Promise((resolve) => socket.on('close', resolve).end());
    assert.ok(received > 0);
  });
});

describe('trusted proxies', () => {
  it('extends the forwarding fields a --trust-proxy peer sent', async () => {
    const backend = await startBackend();
    const Handler = ProxyHandler.with({
      routes: [{ prefix: '/', target: `http://127.0.0.1:${backend.port}` }],
    });
    const proxy = await startServer(Handler, { trustProxy: ['127.0.0.1'] });
    try {
      const r = await curl(
        proxy.port,
        '/echo',
        ...['-H', 'X-Forwarded-For: 203.0.113.7', '-H', 'X-Forwarded-Proto: https'],
        ...['-H', 'Forwarded: for=203.0.113.7;proto=https', '-H', 'X-Forwarded-Host: example.com'],
      );
      const { headers } = JSON.parse(r.body) as Seen;
      assert.equal(headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
      assert.equal(headers['x-forwarded-proto'], 'https');
      assert.equal(headers['x-forwarded-host'], 'example.com');
      assert.equal(
        headers.forwarded,
        `for=203.0.113.7;proto=https, for=127.0.0.1;host="127.0.0.1:${proxy.port}";proto=http`,
      );
    } finally {
      await proxy.close();
      await backend.close();
    }
  });
});

describe('a client that leaves', () => {
  let backend: Backend;
  let proxy: RunningServer;
  before(async () => {
    backend = await startBackend();
    // A timeout far past the test's bound: only the client leaving can close the backend connection in time.
    const Handler = ProxyHandler.with({
      routes: [{ prefix: '/', target: `http://127.0.0.1:${backend.port}` }],
      timeout: 60_000,
    });
    proxy = await startServer(Handler);
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  /** Resolves when the backend's response is cut, rejects after 10 s (the proxy kept the request going). */
  const cutWithin10s = (cut: Promise<void>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the backend connection stayed open')), 10_000);
    });
    return Promise.race([cut, bound]).finally(() => clearTimeout(timer));
  };

  /**
   * A client that resets its connection once `ready` resolves: a FIN alone would be a half-close, which the
   * server answers on, so it is the reset that tells the server the client is gone.
   */
  const resetWhen = async (path: string, ready: (socket: net.Socket) => Promise<unknown>): Promise<void> => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await ready(socket);
    socket.resetAndDestroy();
  };

  it('closes the backend connection while waiting for its head', async () => {
    const cut = backend.nextCut();
    const hanging = backend.nextHang();
    await resetWhen('/hang', () => hanging);
    await cutWithin10s(cut);
  });

  it('closes the backend connection mid-body (an SSE reader that leaves)', async () => {
    const cut = backend.nextCut();
    await resetWhen('/sse', (socket) => new Promise((resolve) => socket.once('data', resolve)));
    await cutWithin10s(cut);
  });
});

describe('ProxyHandler', () => {
  it('quotes an IPv6 client in Forwarded, bracketed (curl over ::1)', async () => {
    const backend = await startBackend();
    const Handler = ProxyHandler.with({
      routes: [{ prefix: '/', target: `http://127.0.0.1:${backend.port}` }],
    });
    const server = new HTTPServer({ host: '::1', port: 0 }, Handler, {
      logStream: collectingLog().logStream,
    });
    await server.listen();
    const serving = server.serveForever();
    try {
      const { stdout } = await run('curl', ['-sS', '-g', `http://[::1]:${server.serverPort}/echo`]);
      const { headers } = JSON.parse(stdout) as Seen;
      assert.equal(headers['x-forwarded-for'], '::1');
      assert.equal(headers.forwarded, `for="[::1]";host="[::1]:${server.serverPort}";proto=http`);
    } finally {
      await server.shutdown(500);
      await serving;
      await backend.close();
    }
  });

  it('keeps the client Host with preserveHost, and answers 404 off its routes', async () => {
    const backend = await startBackend();
    const Handler = ProxyHandler.with({
      routes: [{ prefix: '/api', target: `http://127.0.0.1:${backend.port}` }],
      preserveHost: true,
    });
    const proxy = await startServer(Handler);
    try {
      const seen = JSON.parse((await curl(proxy.port, '/api', '-H', 'Host: app.test')).body) as Seen;
      assert.equal(seen.headers.host, 'app.test');
      assert.equal((await curl(proxy.port, '/elsewhere', '-X', 'POST')).status, 404);
    } finally {
      await proxy.close();
      await backend.close();
    }
  });

  it('verifies an https backend against the CA it is given, and refuses it (502) without', async () => {
    const { cert, key } = makeCertificate();
    const pem = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    const backend = await startBackend(pem);
    const target = `https://127.0.0.1:${backend.port}`;
    const trusting = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/', target }], tls: { ca: pem.cert } }),
    );
    const untrusting = await startServer(ProxyHandler.with({ routes: [{ prefix: '/', target }] }));
    try {
      const seen = JSON.parse((await curl(trusting.port, '/echo')).body) as Seen;
      assert.equal(seen.url, '/echo');
      const refused = await curl(untrusting.port, '/echo');
      assert.equal(refused.status, 502);
      assert.ok(untrusting.log.some((line) => /certificate/i.test(line)));
    } finally {
      await trusting.close();
      await untrusting.close();
      await backend.close();
    }
  });
});

describe('proxied paths judged as a decoding backend reads them', () => {
  let backend: Backend;
  let proxy: RunningServer;
  before(async () => {
    backend = await startBackend();
    proxy = await startServer(
      ProxyHandler.with({ routes: [{ prefix: '/api/', target: `http://127.0.0.1:${backend.port}/` }] }),
    );
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('answers 400 for ..%2f, ..%5c and a path not UTF-8 once decoded (curl --path-as-is)', async () => {
    for (const path of [
      '/api/echo/..%2f..%2fsecret',
      '/api/..%2Fsecret',
      '/api/echo/..%5csecret',
      '/api/%E9t%E9',
    ]) {
      const r = await curl(proxy.port, path, '--path-as-is');
      assert.equal(r.status, 400, path);
      assert.equal(r.fields.get('content-type'), 'text/html;charset=utf-8', path); // the proxy's, not the backend's JSON
    }
    for (const path of ['/api/echo/a..b/%2e%2e.x/caf%C3%A9?q=/../%zz', '/api/echo/a%2fb']) {
      const seen = JSON.parse((await curl(proxy.port, path, '--path-as-is')).body) as Seen;
      assert.equal(seen.url, path.slice('/api'.length), path);
    }
  });

  it('refuses a # before the query, where a backend cutting only at ? would read .. (raw socket)', async () => {
    const request = (target: string): string =>
      `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    assert.match(
      (await exchangeRaw(proxy.port, request('/api/echo#/../../secret'))).text,
      /^HTTP\/1\.1 400 /,
    );
    const { text } = await exchangeRaw(proxy.port, request('/api/echo?q=#/../x'));
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /"url":"\/echo\?q=#\/..\/x"/);
  });
});

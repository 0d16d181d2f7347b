import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ClientDisconnected, InvalidFetchHandlerError, serve, type FetchApp } from '../../src/index.js';
import { nativeBodyLengthKnown } from '../../src/faces/fetch/response-source.js';
import { makeCertificate } from '../helpers/certificate.js';
import { curl } from '../helpers/curl.js';
import { exchangeRaw, parseResponses } from '../helpers/server.js';
import { startFetch, within } from './fetch-helpers.js';

const run = promisify(execFile);
const GET = (path: string, version = '1.1'): string => `GET ${path} HTTP/${version}\r\nHost: t\r\n\r\n`;

/** Serves `app`, runs `fn`, and always closes the server. */
async function withFetch(
  app: FetchApp,
  fn: (port: number, log: string[]) => Promise<void>,
  options: Parameters<typeof startFetch>[1] = {},
): Promise<void> {
  const { server, port, log } = await startFetch(app, options);
  try {
    await fn(port, log);
  } finally {
    await server.close();
  }
}

function streamOf(...pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
      controller.close();
    },
  });
}

describe('Fetch face: response bodies', () => {
  const form = new FormData();
  form.append('a', '1');
  const bodies: Record<string, () => Response> = {
    '/bytes': () => new Response(new Uint8Array([104, 105])),
    '/buffer': () => new Response(new Uint8Array([0, 104, 105, 0]).buffer.slice(1, 3)),
    '/blob': () => new Response(new Blob(['bl', 'ob'])),
    '/params': () => new Response(new URLSearchParams({ q: 'a b' })),
    '/form': () => new Response(form),
    '/stream': () => new Response(streamOf('str', 'eam')),
    '/null': () => new Response(null, { status: 200 }),
    '/no-content': () => new Response(null, { status: 204 }),
    '/not-modified': () => new Response(null, { status: 304, headers: { etag: '"v1"' } }),
    '/own-length': () => new Response(streamOf('abc'), { headers: { 'content-length': '3' } }),
  };
  const app: FetchApp = (request) => bodies[new URL(request.url).pathname]!();

  it('frames each kind of body: a length when known, chunked for a stream', async () => {
    await withFetch(app, async (port) => {
      const paths = Object.keys(bodies);
      const { bytes } = await exchangeRaw(port, paths.map((p) => GET(p)).join(''), {
        responses: paths.length,
      });
      const responses = parseResponses(bytes);
      const seen = new Map(paths.map((p, i) => [p, responses[i]!]));
      const framing = (p: string): string => {
        const r = seen.get(p)!;
        return r.headers.get('transfer-encoding')?.[0] ?? `length ${r.headers.get('content-length')?.[0]}`;
      };
      assert.equal(seen.get('/bytes')!.body.toString(), 'hi');
      assert.equal(framing('/bytes'), 'length 2');
      assert.equal(seen.get('/buffer')!.body.toString(), 'hi');
      assert.equal(seen.get('/blob')!.body.toString(), 'blob');
      assert.equal(framing('/blob'), 'length 4');
      assert.equal(seen.get('/params')!.body.toString(), 'q=a+b');
      assert.match(seen.get('/params')!.headers.get('content-type')![0]!, /x-www-form-urlencoded/);
      assert.match(seen.get('/form')!.body.toString(), /name="a"\r\n\r\n1\r\n/);
      const formLength = `length ${seen.get('/form')!.body.length}`;
      assert.equal(framing('/form'), nativeBodyLengthKnown ? formLength : 'chunked');
      assert.equal(seen.get('/stream')!.body.toString(), 'stream');
      assert.equal(framing('/stream'), 'chunked');
      assert.equal(framing('/null'), 'length 0');
      assert.equal(seen.get('/no-content')!.status, 204);
      assert.equal(seen.get('/no-content')!.headers.has('content-length'), false);
      assert.equal(seen.get('/not-modified')!.status, 304);
      assert.equal(seen.get('/not-modified')!.body.length, 0);
      assert.equal(seen.get('/own-length')!.body.toString(), 'abc');
      assert.equal(framing('/own-length'), 'length 3');
    });
  });

  it('ends a stream with the connection for an HTTP/1.0 client', async () => {
    await withFetch(app, async (port) => {
      const { text, closed } = await exchangeRaw(port, GET('/stream', '1.0'), { untilClose: true });
      assert.ok(closed);
      assert.ok(!/transfer-encoding/i.test(text));
      assert.ok(text.endsWith('\r\n\r\nstream'));
    });
  });
});

describe('Fetch face: requests', () => {
  it('gives the body as a stream, GET and HEAD none, and drains a body the app leaves unread', async () => {
    const app: FetchApp = async (request) => {
      if (request.method === 'PUT') return new Response('not read');
      return Response.json({ method: request.method, body: request.body && (await request.text()) });
    };
    await withFetch(app, async (port) => {
      const chunked =
        'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
      const unread = 'PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello';
      const { bytes } = await exchangeRaw(port, chunked + GET('/') + unread + GET('/'), {
        responses: 4,
        idleMs: 1000,
      });
      const bodies = parseResponses(bytes).map((r) => r.body.toString());
      assert.deepEqual(bodies, [
        '{"method":"POST","body":"abcde"}',
        '{"method":"GET","body":null}',
        'not read',
        '{"method":"GET","body":null}',
      ]);
    });
  });

  it("gives a Request that Node's own Request and fetch take as one", async () => {
    let upstream = 0;
    const app: FetchApp = async (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/upstream') return new Response(`upstream got ${await request.text()}`);
      const copy = new Request(request, { headers: { 'x-copied': '1' } });
      const forwarded = await fetch(`http://127.0.0.1:${upstream}/upstream`, {
        method: 'POST',
        body: await copy.text(),
      });
      return Response.json({
        isRequest: request instanceof Request,
        method: copy.method,
        copied: copy.headers.get('x-copied'),
        answer: await forwarded.text(),
      });
    };
    await withFetch(app, async (port) => {
      upstream = port;
      const r = await curl(port, '/proxy', '--data', 'payload');
      assert.deepEqual(JSON.parse(r.body), {
        isRequest: true,
        method: 'POST',
        copied: '1',
        answer: 'upstream got payload',
      });
    });
  });

  it('combines repeated fields and keeps Cookie', async () => {
    const app: FetchApp = (request) =>
      Response.json({ accept: request.headers.get('accept'), cookie: request.headers.get('cookie') });
    await withFetch(app, async (port) => {
      const r = await curl(port, '/', '-H', 'Accept: a/b', '-H', 'Accept: c/d', '-H', 'Cookie: x=1');
      assert.deepEqual(JSON.parse(r.body), { accept: 'a/b, c/d', cookie: 'x=1' });
    });
  });

  it('tells the app the client behind a trusted proxy', async () => {
    const app: FetchApp = (_request, info) => Response.json(info.clientAddress);
    await withFetch(
      app,
      async (port) => {
        const r = await curl(port, '/', '-H', 'X-Forwarded-For: 203.0.113.7');
        assert.deepEqual(JSON.parse(r.body), ['203.0.113.7', 0]);
      },
      { trustProxy: ['127.0.0.1'] },
    );
  });
});

describe('Fetch face: errors and misuse', () => {
  it('refuses a fetch that is not a function, with a named error', () => {
    assert.throws(
      () => serve({ fetch: 42 as unknown as FetchApp, port: 0, hostname: '127.0.0.1' }),
      (err: unknown) =>
        err instanceof InvalidFetchHandlerError &&
        err instanceof TypeError &&
        err.code === 'BH_ERR_INVALID_FETCH_HANDLER',
    );
  });

  it('answers 500 with a clear log line when the app returns no Response', async () => {
    const app = (() => 'just text') as unknown as FetchApp;
    await withFetch(app, async (port, log) => {
      assert.equal((await curl(port, '/')).status, 500);
      assert.ok(
        log.some((l) =>
          l.includes('InvalidResponseError: The fetch handler returned string, not a Response'),
        ),
        log.join('\n'),
      );
    });
  });

  it("answers with onError's response, and a 500 when onError fails too", async () => {
    const app: FetchApp = (request) => {
      throw new Error(`failed ${new URL(request.url).pathname}`);
    };
    await withFetch(
      app,
      async (port, log) => {
        const ok = await curl(port, '/a');
        assert.equal(ok.status, 503);
        assert.equal(ok.body, 'sorry: failed /a');
        assert.equal((await curl(port, '/bad')).status, 500);
        assert.ok(log.some((l) => l.includes('Error: onError failed too')));
      },
      {
        onError: (err, request) => {
          if (request.url.endsWith('/bad')) throw new Error('onError failed too');
          return new Response(`sorry: ${(err as Error).message}`, { status: 503 });
        },
      },
    );
  });

  it('cuts a response whose stream fails after it started: no last chunk, the connection closes', async () => {
    const app: FetchApp = () => {
      let n = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (n++ === 0) controller.enqueue(new TextEncoder().encode('partial'));
          else controller.error(new Error('stream broke'));
        },
      });
      return new Response(body);
    };
    await withFetch(app, async (port, log) => {
      const { text, closed } = await exchangeRaw(port, GET('/') + GET('/'), { untilClose: true });
      assert.ok(closed);
      assert.ok(text.includes('7\r\npartial\r\n'));
      assert.ok(!text.includes('0\r\n\r\n'));
      assert.equal(text.match(/HTTP\/1\.1/g)?.length, 1);
      assert.ok(log.some((l) => l.includes('Error: stream broke')));
    });
  });
});

describe('Fetch face: the server', () => {
  it('serves HTTPS from PEM text, and closes when its signal aborts', async () => {
    const { cert, key } = makeCertificate();
    const controller = new AbortController();
    const { server, port } = await startFetch(() => new Response('secure'), {
      tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') },
      signal: controller.signal,
    });
    assert.equal(server.url, `https://127.0.0.1:${port}/`);
    const { stdout } = await run('curl', ['-sS', '--cacert', cert, `https://localhost:${port}/`]);
    assert.equal(stdout, 'secure');
    controller.abort();
    await within(server.closed, 5000, 'the close');
  });

  it('writes the access log in the format asked for, error lines too', async () => {
    const app: FetchApp = (request) => {
      if (request.url.endsWith('/fail')) throw new Error('failed here');
      return new Response('Hello, World!');
    };
    await withFetch(
      app,
      async (port, log) => {
        await curl(port, '/hello', '-A', 'test-agent');
        await curl(port, '/fail');
        const lines = log.map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.ok(
          lines.some(
            (l) =>
              l['path'] === '/hello' &&
              l['status'] === 200 &&
              l['bytes'] === 13 &&
              l['userAgent'] === 'test-agent',
          ),
          log.join('\n'),
        );
        assert.ok(
          lines.some((l) => l['level'] === 'error' && String(l['message']).includes('Error: failed here')),
        );
        assert.ok(lines.some((l) => l['path'] === '/fail' && l['status'] === 500));
      },
      { logFormat: 'json' },
    );
  });

  it("keeps a JSON log JSON: the server's own line for a response cut at the deadline is an object too", async () => {
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const app: FetchApp = () => {
      started();
      return new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(10)) })); // never ends
    };
    const { server, port, log } = await startFetch(app, { shutdownTimeout: 100, logFormat: 'json' });
    const pending = exchangeRaw(port, GET('/endless'), { idleMs: 3000 });
    await within(inFlight, 5000, 'the request');
    await server.close();
    await pending;
    const lines = log.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      lines.some((l) => /^shutdown deadline: cut "GET \/endless HTTP\/1\.1"/.test(String(l['message']))),
      log.join('\n'),
    );
  });

  it('aborts request.signal when the shutdown deadline cuts the request', async () => {
    let aborted!: Promise<unknown>;
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const app: FetchApp = (request) => {
      aborted = new Promise((resolve) =>
        request.signal.addEventListener('abort', () => resolve(request.signal.reason)),
      );
      started();
      return new Promise<Response>(() => {}); // never answers
    };
    const { server, port } = await startFetch(app, { shutdownTimeout: 100 });
    const pending = exchangeRaw(port, GET('/'), { idleMs: 3000 });
    await within(inFlight, 5000, 'the request');
    await server.close();
    assert.ok((await within(aborted, 5000, 'the abort')) instanceof ClientDisconnected);
    assert.ok((await pending).closed);
  });
});

/**
 * fetch() against basehttp origins over real sockets, case by case from the Fetch standard (request
 * normalization, bodies, redirects, abort, decoding) in the manner of the Web Platform Tests' fetch/api cases.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import {
  BaseHTTPRequestHandler,
  ConnectionFailed,
  FetchFailed,
  IncompleteRead,
  Pool,
  RedirectRefused,
  TooManyRedirects,
  closeAllPools,
  fetch,
} from '../../src/index.js';
import { serverForSuite, withServer } from '../helpers/server.js';
import { Stream } from '../server/handlers.js';
import { eventually } from '../helpers/wait.js';
import { rawServer } from './raw-server.js';

const TEXT = 'compressed text '.repeat(100);
const ENCODED: Record<string, [string, Buffer]> = {
  gzip: ['gzip', zlib.gzipSync(TEXT)],
  'x-gzip': ['x-gzip', zlib.gzipSync(TEXT)],
  br: ['br', zlib.brotliCompressSync(TEXT)],
  deflate: ['deflate', zlib.deflateSync(TEXT)],
  'raw-deflate': ['deflate', zlib.deflateRawSync(TEXT)],
  // Applied gzip first, then br: undone in the other order.
  layered: ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(TEXT))],
  unknown: ['compress', Buffer.from('as sent')],
};

/** What the Echo handler saw. */
interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * /redirect/STATUS?to=URL answers STATUS with that Location (`/hops/N` counts down N redirects);
 * /encoded/NAME sends an encoded body; /status/N answers N; anything else echoes the request as JSON.
 */
class Echo extends BaseHTTPRequestHandler {
  async doGET(): Promise<void> {
    const url = new URL(this.path, 'http://x');
    const body = await this.readBody();
    const parts = url.pathname.split('/');
    if (parts[1] === 'redirect' || parts[1] === 'hops') {
      const left = Number(parts[2]);
      const to =
        parts[1] === 'hops' ? (left === 0 ? '/done' : `/hops/${left - 1}`) : url.searchParams.get('to')!;
      this.sendResponse(parts[1] === 'hops' ? 302 : left);
      this.sendHeader('Location', to);
      this.sendHeader('Content-Length', 5);
      this.endHeaders();
      this.wfile.write('moved');
      return;
    }
    if (parts[1] === 'encoded') {
      const [coding, bytes] = ENCODED[parts[2]!]!;
      this.sendResponse(200);
      this.sendHeader('Content-Encoding', coding);
      this.sendHeader('Content-Length', bytes.length);
      this.endHeaders();
      if (this.command !== 'HEAD') this.wfile.write(bytes);
      return;
    }
    if (parts[1] === 'status') {
      this.sendResponse(Number(parts[2]));
      this.endHeaders();
      return;
    }
    const seen: Seen = {
      method: this.command,
      path: this.path,
      headers: Object.fromEntries([...this.headers].map(([n, v]) => [n.toLowerCase(), v])),
      body: body.toString('latin1'),
    };
    const out = Buffer.from(JSON.stringify(seen));
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', out.length);
    this.endHeaders();
    if (this.command !== 'HEAD') this.wfile.write(out);
  }

  doHEAD(): Promise<void> {
    return this.doGET();
  }
  doPOST(): Promise<void> {
    return this.doGET();
  }
  doPUT(): Promise<void> {
    return this.doGET();
  }
  doPATCH(): Promise<void> {
    return this.doGET();
  }
}

after(() => closeAllPools());

/** fetch's rejection for a failure: a FetchFailed (a TypeError) whose cause is `cause`. */
function failedWith(cause: abstract new (...args: never[]) => Error): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FetchFailed && err instanceof TypeError, String(err));
    assert.equal(err.code, 'BH_ERR_FETCH_FAILED');
    assert.ok(err.cause instanceof cause, `cause: ${String(err.cause)}`);
    return true;
  };
}

describe('fetch()', () => {
  const ctx = serverForSuite(Echo);
  const origin = (): string => `http://127.0.0.1:${ctx.port}`;

  it('answers with the global Response: status, headers, url, type basic, not redirected', async () => {
    const res = await fetch(`${origin()}/a?b=1#frag`);
    assert.ok(res instanceof Response);
    assert.equal(res.status, 200);
    assert.equal(res.ok, true);
    assert.equal(res.statusText, 'OK');
    assert.equal(res.type, 'basic');
    assert.equal(res.redirected, false);
    assert.equal(res.url, `${origin()}/a?b=1`, 'the fragment is not part of the response URL');
    assert.equal(res.headers.get('content-type'), 'application/json');
    const seen = (await res.json()) as Seen;
    assert.equal(seen.path, '/a?b=1');
    assert.equal(seen.headers.accept, '*/*');
    assert.equal(seen.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(res.bodyUsed, true);
    await assert.rejects(res.text(), TypeError, 'a body is read once');
  });

  it('takes headers as Headers, pairs or a record, and keeps the caller’s Accept', async () => {
    for (const headers of [
      new Headers({ 'X-One': '1', Accept: 'text/html' }),
      [
        ['X-One', '1'],
        ['Accept', 'text/html'],
      ] as Array<[string, string]>,
      { 'X-One': '1', Accept: 'text/html' },
    ]) {
      const seen = (await (await fetch(origin(), { headers })).json()) as Seen;
      assert.equal(seen.headers['x-one'], '1');
      assert.equal(seen.headers.accept, 'text/html');
    }
  });

  it('takes a Request, with init fields over its own', async () => {
    const request = new Request(`${origin()}/req`, {
      method: 'POST',
      headers: { 'X-From': 'request' },
      body: 'from the request',
    });
    const seen = (await (await fetch(request)).json()) as Seen;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['x-from'], 'request');
    assert.equal(seen.body, 'from the request');
    const overridden = (await (
      await fetch(new Request(`${origin()}/req`, { method: 'POST', body: 'x' }), { method: 'PUT', body: 'y' })
    ).json()) as Seen;
    assert.equal(overridden.method, 'PUT');
    assert.equal(overridden.body, 'y');
  });

  // The standard upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT: `patch` goes out as written.
  it('normalizes the methods, and sends extension methods as written', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    for (const method of ['post', 'Delete', 'patch', 'PROPFIND']) {
      await (await fetch(`http://127.0.0.1:${server.port}/`, { method })).arrayBuffer();
    }
    const lines = server.received.join('').match(/^[A-Za-z]+ \/ HTTP\/1\.1$/gm);
    assert.deepEqual(lines, [
      'POST / HTTP/1.1',
      'DELETE / HTTP/1.1',
      'patch / HTTP/1.1',
      'PROPFIND / HTTP/1.1',
    ]);
    await server.close();
  });

  it('bodies: string, URLSearchParams, bytes, Blob and FormData with their Content-Types', async () => {
    const send = async (body: RequestInit['body'], headers?: Record<string, string>): Promise<Seen> =>
      (await (await fetch(origin(), { method: 'POST', body, headers })).json()) as Seen;
    let seen = await send('héllo');
    assert.equal(seen.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal(Buffer.from(seen.body, 'latin1').toString(), 'héllo');
    seen = await send(new URLSearchParams({ a: '1', b: 'x y' }));
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(seen.body, 'a=1&b=x+y');
    seen = await send(new Uint8Array([1, 2, 3]).buffer);
    assert.equal(seen.body, '\x01\x02\x03');
    assert.equal(seen.headers['content-type'], undefined);
    seen = await send(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2));
    assert.equal(seen.body, '\x08\x07');
    seen = await send(new Blob(['blob body'], { type: 'text/x-blob' }));
    assert.equal(seen.headers['content-type'], 'text/x-blob');
    assert.equal(seen.body, 'blob body');
    const form = new FormData();
    form.append('field', 'value');
    seen = await send(form);
    assert.match(seen.headers['content-type']!, /^multipart\/form-data; boundary=/);
    assert.match(seen.body, /name="field"\r\n\r\nvalue\r\n/);
    seen = await send('{}', { 'Content-Type': 'application/json' });
    assert.equal(seen.headers['content-type'], 'application/json', "the caller's type wins");
  });

  it('streams a request body from a ReadableStream (duplex: half), chunked', async () => {
    const pieces = ['one ', 'two ', 'three'];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const seen = (await (await fetch(origin(), { method: 'POST', body, duplex: 'half' })).json()) as Seen;
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(seen.body, 'one two three');
  });

  it('refuses what the standard refuses, with a TypeError before anything is sent', async () => {
    const stream = new ReadableStream();
    for (const [input, init] of [
      [origin(), { method: 'GET', body: 'x' }],
      [origin(), { method: 'HEAD', body: 'x' }],
      [origin(), { method: 'CONNECT' }],
      [origin(), { method: 'POST', body: stream }],
      ['data:text/plain,hi', {}],
      ['not a url', {}],
      [`http://user:pw@127.0.0.1:${ctx.port}/`, {}],
      [origin(), { headers: { 'X-Bad': 'a\r\nInjected: 1' } }],
    ] as Array<[string, RequestInit]>) {
      await assert.rejects(
        fetch(input, init),
        (err) => err instanceof FetchFailed && err instanceof TypeError,
      );
    }
  });

  it('a network failure is a FetchFailed whose cause is the typed error', async () => {
    const gone = await rawServer(() => {});
    const port = gone.port;
    await gone.close();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), failedWith(ConnectionFailed));
  });

  it('a body cut short fails its read with a FetchFailed (cause IncompleteRead)', async () => {
    const server = await rawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    await assert.rejects(res.text(), failedWith(IncompleteRead));
    await server.close();
  });

  it('no body for HEAD, 204 and 304; an empty body for a 200 without content', async () => {
    const head = await fetch(`${origin()}/x`, { method: 'HEAD' });
    assert.equal(head.body, null);
    assert.equal((await fetch(`${origin()}/status/204`)).body, null);
    assert.equal((await fetch(`${origin()}/status/304`)).body, null);
    const empty = await fetch(`${origin()}/status/200`);
    assert.notEqual(empty.body, null);
    assert.equal(await empty.text(), '');
  });

  it('clone() gives two readable copies that keep url and redirected', async () => {
    const res = await fetch(`${origin()}/hops/1`);
    const copy = res.clone();
    assert.equal(copy.url, `${origin()}/done`);
    assert.equal(copy.redirected, true);
    assert.equal(((await copy.json()) as Seen).path, '/done');
    assert.equal(((await res.json()) as Seen).path, '/done');
  });

  it('uses the Pool it is given for that origin, and the shared pools for others', async () => {
    const pool = new Pool(origin(), { connections: 1 });
    await Promise.all([1, 2, 3].map(async () => (await fetch(origin(), { pool })).arrayBuffer()));
    assert.equal(pool.size, 1);
    pool.close();
  });
});

describe('fetch() response bodies', () => {
  it('Response.body streams with backpressure: a body nobody reads holds the server back', async () => {
    await withServer(Stream, {}, async (server) => {
      const total = 256 * 1024 * 1024;
      const res = await fetch(`http://127.0.0.1:${server.port}/?n=${total}`);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let received = (await reader.read()).value!.length;
      await new Promise((r) => setTimeout(r, 400));
      // Kernel buffers on both sides plus the client's high-water mark: a few MiB at most, not 256.
      assert.ok(Stream.produced < 32 * 1024 * 1024, `produced ${Stream.produced} bytes while nobody read`);
      for (let r = await reader.read(); r.done !== true; r = await reader.read()) received += r.value.length;
      assert.equal(received, total);
    });
  });

  it('cancelling the body closes the connection; the next request opens another', async () => {
    await withServer(Stream, {}, async (server) => {
      const pool = new Pool(`http://127.0.0.1:${server.port}`);
      const res = await fetch(`http://127.0.0.1:${server.port}/?n=${64 * 1024 * 1024}`, { pool });
      await res.body!.cancel();
      await eventually(() => pool.size === 0, 'pool.size === 0');
      const small = await fetch(`http://127.0.0.1:${server.port}/?n=10`, { pool });
      assert.equal((await small.arrayBuffer()).byteLength, 10);
      pool.close();
    });
  });
});

describe('fetch() decoding', () => {
  const ctx = serverForSuite(Echo);

  for (const name of ['gzip', 'x-gzip', 'br', 'deflate', 'raw-deflate', 'layered']) {
    it(`decodes ${name}, keeping Content-Encoding and Content-Length as sent`, async () => {
      const res = await fetch(`http://127.0.0.1:${ctx.port}/encoded/${name}`);
      assert.equal(res.headers.get('content-encoding'), ENCODED[name]![0]);
      assert.equal(res.headers.get('content-length'), String(ENCODED[name]![1].length));
      assert.equal(await res.text(), TEXT);
    });
  }

  it('passes a body in an unknown coding through as sent', async () => {
    const res = await fetch(`http://127.0.0.1:${ctx.port}/encoded/unknown`);
    assert.equal(await res.text(), 'as sent');
  });

  it('a HEAD with a Content-Encoding has no body to decode', async () => {
    const res = await fetch(`http://127.0.0.1:${ctx.port}/encoded/gzip`, { method: 'HEAD' });
    assert.equal(res.body, null);
  });
});

describe('fetch() redirects', () => {
  const ctx = serverForSuite(Echo);
  const other = serverForSuite(Echo);
  const at = (path: string): string => `http://127.0.0.1:${ctx.port}${path}`;
  const redirect = (status: number, to: string): string =>
    at(`/redirect/${status}?to=${encodeURIComponent(to)}`);

  it('follows, with url and redirected telling where it ended', async () => {
    const res = await fetch(redirect(301, '/final'));
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    assert.equal(res.url, at('/final'));
  });

  for (const status of [301, 302]) {
    it(`${status}: a POST becomes a GET without its body and body fields; a PUT stays`, async () => {
      const post = (await (
        await fetch(redirect(status, '/after'), {
          method: 'POST',
          body: 'data',
          headers: { 'Content-Type': 'text/x', 'Content-Language': 'en', 'X-Keep': '1' },
        })
      ).json()) as Seen;
      assert.equal(post.method, 'GET');
      assert.equal(post.body, '');
      assert.equal(post.headers['content-type'], undefined);
      assert.equal(post.headers['content-language'], undefined);
      assert.equal(post.headers['x-keep'], '1');
      const put = (await (
        await fetch(redirect(status, '/after'), { method: 'PUT', body: 'data' })
      ).json()) as Seen;
      assert.equal(put.method, 'PUT');
      assert.equal(put.body, 'data');
    });
  }

  it('303: anything but GET and HEAD becomes a GET; HEAD stays HEAD', async () => {
    const put = (await (
      await fetch(redirect(303, '/after'), { method: 'PUT', body: 'data' })
    ).json()) as Seen;
    assert.equal(put.method, 'GET');
    assert.equal(put.body, '');
    const head = await fetch(redirect(303, '/after'), { method: 'HEAD' });
    assert.equal(head.url, at('/after'));
    assert.equal(head.status, 200);
  });

  for (const status of [307, 308]) {
    it(`${status}: method and body are repeated; a streamed body cannot be`, async () => {
      const seen = (await (
        await fetch(redirect(status, '/after'), { method: 'POST', body: 'data' })
      ).json()) as Seen;
      assert.equal(seen.method, 'POST');
      assert.equal(seen.body, 'data');
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array([1]));
          controller.close();
        },
      });
      await assert.rejects(
        fetch(redirect(status, '/after'), { method: 'POST', body: stream, duplex: 'half' }),
        failedWith(RedirectRefused),
      );
    });
  }

  it('drops Authorization, Cookie and Proxy-Authorization across origins, keeps them within one', async () => {
    const headers = {
      Authorization: 'Bearer t',
      Cookie: 'a=1',
      'Proxy-Authorization': 'Basic x',
      'X-Other': '1',
    };
    const same = (await (await fetch(redirect(302, '/after'), { headers })).json()) as Seen;
    assert.equal(same.headers.authorization, 'Bearer t');
    assert.equal(same.headers.cookie, 'a=1');
    const elsewhere = `http://127.0.0.1:${other.port}/after`;
    const cross = (await (await fetch(redirect(302, elsewhere), { headers })).json()) as Seen;
    assert.equal(cross.headers.authorization, undefined);
    assert.equal(cross.headers.cookie, undefined);
    assert.equal(cross.headers['proxy-authorization'], undefined);
    assert.equal(cross.headers['x-other'], '1');
  });

  it('follows 20 redirects and refuses the 21st (TooManyRedirects)', async () => {
    const res = await fetch(at('/hops/19'));
    assert.equal(res.url, at('/done'));
    await res.arrayBuffer();
    await assert.rejects(fetch(at('/hops/20')), failedWith(TooManyRedirects));
  });

  it("redirect: 'manual' returns the redirect; 'error' refuses it", async () => {
    const res = await fetch(redirect(301, '/after'), { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/after');
    assert.equal(res.redirected, false);
    assert.equal(await res.text(), 'moved');
    await assert.rejects(fetch(redirect(301, '/after'), { redirect: 'error' }), failedWith(RedirectRefused));
  });

  it('refuses a Location that is no http(s) URL', async () => {
    await assert.rejects(fetch(redirect(302, 'ftp://127.0.0.1/x')), failedWith(RedirectRefused));
    await assert.rejects(fetch(redirect(302, 'http://[bad')), failedWith(RedirectRefused));
  });

  it('a 3xx without Location is returned as it is', async () => {
    const res = await fetch(at('/status/302'));
    assert.equal(res.status, 302);
    assert.equal(res.redirected, false);
    assert.equal(await res.text(), '');
  });
});

describe('fetch() abort', () => {
  it('an aborted signal rejects at once with its reason, nothing is sent', async () => {
    const server = await rawServer(() => {});
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`, { signal: controller.signal }), {
      name: 'AbortError',
    });
    const reason = new Error('mine');
    await assert.rejects(
      fetch(`http://127.0.0.1:${server.port}/`, { signal: AbortSignal.abort(reason) }),
      reason,
    );
    assert.equal(server.connections, 0);
    await server.close();
  });

  it('while waiting for the head: AbortError, the connection closed', async () => {
    const server = await rawServer(() => {});
    const controller = new AbortController();
    const pending = fetch(`http://127.0.0.1:${server.port}/`, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await assert.rejects(pending, (err) => err instanceof DOMException && err.name === 'AbortError');
    await server.close();
  });

  it('while reading the body: the read rejects with AbortError', async () => {
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf');
    });
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'half');
    const next = reader.read();
    controller.abort();
    await assert.rejects(next, (err) => err instanceof DOMException && err.name === 'AbortError');
    await server.close();
  });
});

/** Retries and the separate timeouts of fetch() over real sockets, against servers that misbehave on purpose. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import {
  BodyTimeout,
  ConnectTimeout,
  FetchFailed,
  HeadersTimeout,
  RemoteDisconnected,
  closeAllPools,
  fetch,
  request,
} from '../../src/index.js';
import { retryAfter } from '../../src/client/retry.js';
import { rawServer } from './raw-server.js';

after(() => closeAllPools());

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const fast = { backoff: () => 10 };

/** fetch's rejection whose cause is `cause`. */
function failedWith(cause: abstract new (...args: never[]) => Error): (err: unknown) => boolean {
  return (err) => err instanceof FetchFailed && err.cause instanceof cause;
}

describe('retries', () => {
  it('a connection reset before any answer: a GET is sent again, a POST is not', async () => {
    // The first connection is reset as soon as the request arrives, and so is any POST.
    const server = await rawServer((socket, received, index) => {
      if (index === 0 || received.includes('POST /')) socket.resetAndDestroy();
      else socket.write(OK);
    });
    const url = `http://127.0.0.1:${server.port}/`;
    const res = await fetch(url, { retry: fast });
    assert.equal(await res.text(), 'ok');
    assert.equal(server.connections, 2);
    await assert.rejects(
      fetch(url, { method: 'POST', body: 'x', retry: fast }),
      failedWith(RemoteDisconnected),
    );
    const posts = server.received.join('').split('POST /').length - 1;
    assert.equal(posts, 1, 'the server may have acted on the POST: not sent again');
    await server.close();
    const once = await rawServer((socket) => socket.resetAndDestroy());
    await assert.rejects(fetch(`http://127.0.0.1:${once.port}/`), failedWith(RemoteDisconnected));
    assert.equal(once.connections, 1, 'no retry unless asked');
    await once.close();
  });

  it('a refused connection: any method is sent again, the server never saw it', async () => {
    const probe = await rawServer(() => {});
    const port = probe.port;
    await probe.close();
    let server: net.Server | null = null;
    const received: string[] = [];
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: 'once',
      retry: {
        limit: 3,
        // Before the first retry, something starts listening.
        backoff: (attempt) => {
          if (attempt === 1) {
            server = net.createServer((socket) =>
              socket.on('data', (d: Buffer) => {
                received.push(d.toString('latin1'));
                socket.end(OK);
              }),
            );
            server.listen(port, '127.0.0.1');
          }
          return 100;
        },
      },
    });
    assert.equal(await res.text(), 'ok');
    assert.equal(received.length, 1);
    assert.match(received[0]!, /^POST \/ HTTP\/1\.1\r\n[^]*\r\n\r\nonce$/);
    await new Promise((resolve) => server!.close(resolve));
  });

  it('503 with Retry-After in seconds: waited for, then asked again', async () => {
    const times: number[] = [];
    const server = await rawServer((socket) => {
      times.push(Date.now());
      socket.write(
        times.length === 1 ? 'HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy' : OK,
      );
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { retry: {} });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 900, 'the second request waited for Retry-After');
    assert.equal(server.connections, 1, 'the 503 body was read: its connection carried the retry');
    await server.close();
  });

  it('a Retry-After past maxDelay, a POST, or the last attempt: the response is returned as it is', async () => {
    let seen = 0;
    const server = await rawServer((socket) => {
      seen++;
      socket.write('HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n');
    });
    const url = `http://127.0.0.1:${server.port}/`;
    assert.equal((await fetch(url, { retry: { limit: 2 } })).status, 503);
    assert.equal(seen, 3, 'the first attempt and two retries');
    seen = 0;
    assert.equal((await fetch(url, { method: 'POST', body: 'x', retry: {} })).status, 503);
    assert.equal(seen, 1);
    await server.close();
    const later = await rawServer((socket) => {
      seen++;
      socket.write('HTTP/1.1 429 Slow down\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n');
    });
    seen = 0;
    assert.equal((await fetch(`http://127.0.0.1:${later.port}/`, { retry: { maxDelay: 1000 } })).status, 429);
    assert.equal(seen, 1);
    await later.close();
  });

  it('never once response bytes arrived, nor with a streamed body', async () => {
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-');
      socket.resetAndDestroy();
    });
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`, { retry: fast }), FetchFailed);
    assert.equal(server.connections, 1);
    await server.close();
    const resets = await rawServer((socket) => socket.resetAndDestroy());
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.close();
      },
    });
    await assert.rejects(
      fetch(`http://127.0.0.1:${resets.port}/`, { method: 'PUT', body, duplex: 'half', retry: fast }),
      FetchFailed,
    );
    assert.equal(resets.connections, 1);
    await resets.close();
  });

  it('an abort during the wait ends it with the signal’s reason', async () => {
    const server = await rawServer((socket) =>
      socket.write('HTTP/1.1 503 Busy\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n'),
    );
    const controller = new AbortController();
    const pending = fetch(`http://127.0.0.1:${server.port}/`, {
      signal: controller.signal,
      retry: { maxDelay: 120_000 },
    });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, { name: 'AbortError' });
    await server.close();
  });

  it('request() takes the same retry option', async () => {
    const server = await rawServer((socket, _received, index) => {
      if (index === 0) socket.resetAndDestroy();
      else socket.end(OK);
    });
    const res = await request(`http://127.0.0.1:${server.port}/`, { retry: fast });
    assert.equal(await res.text(), 'ok');
    await server.close();
  });

  it('Retry-After: seconds or an HTTP date, nothing for garbage', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    assert.equal(retryAfter('120', now), 120_000);
    assert.equal(retryAfter('Mon, 30 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(retryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now), 0, 'a date past is no wait');
    assert.equal(retryAfter('soon', now), null);
    assert.equal(retryAfter(undefined, now), null);
  });

  it('refuses retry settings that make no sense', async () => {
    await assert.rejects(fetch('http://127.0.0.1:1/', { retry: { limit: -1 } }), /retry.limit/);
  });
});

describe('timeouts', () => {
  it('connect: a TLS handshake that never completes is a ConnectTimeout', async () => {
    const server = await rawServer(() => {});
    await assert.rejects(
      fetch(`https://127.0.0.1:${server.port}/`, { pool: { connectTimeout: 150 } }),
      failedWith(ConnectTimeout),
    );
    await server.close();
  });

  it('head: a server that reads the request and says nothing is a HeadersTimeout', async () => {
    const server = await rawServer(() => {});
    await assert.rejects(
      fetch(`http://127.0.0.1:${server.port}/`, { pool: { headersTimeout: 150 } }),
      (err) =>
        failedWith(HeadersTimeout)(err) &&
        (err as FetchFailed & { cause: HeadersTimeout }).cause.code === 'BH_ERR_HEADERS_TIMEOUT',
    );
    await server.close();
  });

  it('body: a body that stalls half-way is a BodyTimeout on the read', async () => {
    const server = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
    );
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { pool: { bodyTimeout: 150 } });
    await assert.rejects(res.text(), failedWith(BodyTimeout));
    await server.close();
  });

  it('each timeout covers its own wait: a slow head under a short body timeout, and the reverse', async () => {
    const server = await rawServer((socket, received) => {
      if (received.startsWith('GET /slow-head')) setTimeout(() => socket.write(OK), 300);
      else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no');
        setTimeout(() => socket.write('k'), 300);
      }
    });
    const base = `http://127.0.0.1:${server.port}`;
    const slowHead = await fetch(`${base}/slow-head`, { pool: { headersTimeout: 5000, bodyTimeout: 100 } });
    assert.equal(await slowHead.text(), 'ok');
    const slowBody = await fetch(`${base}/slow-body`, { pool: { headersTimeout: 100, bodyTimeout: 5000 } });
    assert.equal(await slowBody.text(), 'ok');
    await server.close();
  });

  it('an overall deadline through AbortSignal.timeout(): a TimeoutError DOMException, mid-body too', async () => {
    const server = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
    );
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { signal: AbortSignal.timeout(150) });
    await assert.rejects(res.text(), (err) => err instanceof DOMException && err.name === 'TimeoutError');
    await server.close();
  });
});

/**
 * The client against servers that misbehave on the wire (issue 16, findings 4–7 and 18): bytes past a
 * response, ambiguous framing, impossible status lines, a caller's Content-Length that lies, and resets.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { describe, it } from 'node:test';
import {
  BadStatusLine,
  ConnectionFailed,
  ContentLengthMismatch,
  HTTPConnection,
  IncompleteRead,
  Pool,
} from '../../src/index.js';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { withServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { rawServer } from './raw-server.js';

/** How many requests (heads) arrived in `received`. */
function requestsIn(received: string): number {
  return received.split('\r\n\r\n').length - 1;
}

/** Answers the n-th request the server gets (from 0, over all connections; `head` its text) with `answers(n, head)`. */
function answering(answers: (n: number, head: string) => string) {
  const seen = new Map<net.Socket, number>();
  let count = 0;
  return rawServer((socket, received) => {
    const done = seen.get(socket) ?? 0;
    const total = requestsIn(received);
    const heads = received.split('\r\n\r\n');
    for (let n = done; n < total; n++) socket.write(answers(count++, heads[n]!));
    seen.set(socket, total);
  });
}

describe('Pool: a connection out of step is never reused', () => {
  it('drops a connection whose response came with a second, unrequested one', async () => {
    const s = await answering((n) =>
      n === 0
        ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL'
        : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood',
    );
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      assert.equal(await (await pool.request({ path: '/1' })).text(), 'ok');
      assert.equal(await (await pool.request({ path: '/2' })).text(), 'good');
      assert.equal(await (await pool.request({ path: '/3' })).text(), 'good');
      assert.equal(s.connections, 2, 'the first connection was dropped, the second kept');
    } finally {
      pool.close();
      await s.close();
    }
  });

  it('drops a connection whose HEAD response came with a body', async () => {
    const s = await answering((_n, head) =>
      head.startsWith('HEAD ')
        ? 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL'
        : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood',
    );
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      const head = await pool.request({ method: 'HEAD', path: '/h' });
      assert.equal((await head.read()).length, 0);
      assert.equal(await (await pool.request({ path: '/g' })).text(), 'good');
      assert.equal(s.connections, 2);
    } finally {
      pool.close();
      await s.close();
    }
  });

  it('closes an idle pooled connection that receives bytes', async () => {
    let evil: net.Socket | null = null;
    const s = await rawServer((socket) => {
      evil ??= socket;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood');
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      assert.equal(await (await pool.request({ path: '/1' })).text(), 'good');
      await eventually(() => pool.size === 1, 'pool.size === 1');
      evil!.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL');
      await eventually(() => s.open === 0 && pool.size === 0, 's.open === 0 && pool.size === 0');
      assert.equal(await (await pool.request({ path: '/2' })).text(), 'good');
      assert.equal(s.connections, 2);
    } finally {
      pool.close();
      await s.close();
    }
  });
});

describe('responses with ambiguous framing are read by RFC 9112 and end their connection', () => {
  for (const [name, response, body] of [
    [
      'Content-Length with Transfer-Encoding: chunked wins',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'abc',
    ],
    [
      'HTTP/1.0 with Transfer-Encoding: read until close',
      'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      '3\r\nabc\r\n0\r\n\r\n',
    ],
    [
      'an empty Transfer-Encoding field: read until close',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\nContent-Length: 2\r\n\r\nabcd',
      'abcd',
    ],
  ] as const) {
    it(name, async () => {
      const s = await rawServer((socket) => {
        socket.write(response);
        // A server that would keep the connection: only the client can end it.
        if (response.includes('Transfer-Encoding: \r\n') || response.startsWith('HTTP/1.0')) socket.end();
      });
      const pool = new Pool(`http://127.0.0.1:${s.port}`);
      try {
        const res = await pool.request({ path: '/' });
        assert.equal(await res.text(), body);
        await pool.request({ path: '/again' }).then((r) => r.text());
        assert.equal(s.connections, 2, 'the first connection was not reused');
      } finally {
        pool.close();
        await s.close();
      }
    });
  }
});

describe('impossible status lines are BadStatusLine', () => {
  for (const [name, response] of [
    ['status 000', 'HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n'],
    ['status 099', 'HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n'],
    ['a bare CR in the reason', 'HTTP/1.1 200 OK\rContent-Length: 3\r\n\r\nabc'],
    ['NUL in the reason', 'HTTP/1.1 200 O\0K\r\nContent-Length: 3\r\n\r\nabc'],
    ['a control byte in the reason', 'HTTP/1.1 200 O\x01K\r\nContent-Length: 3\r\n\r\nabc'],
  ] as const) {
    it(name, async () => {
      const s = await rawServer((socket) => {
        // What a server that skipped the interim response would answer next: never to be returned.
        socket.write(`${response}HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong`);
      });
      const conn = new HTTPConnection('127.0.0.1', s.port);
      try {
        await conn.request('GET', '/');
        await assert.rejects(conn.getresponse(), BadStatusLine);
      } finally {
        conn.close();
        await s.close();
      }
    });
  }
});

/** Counts the requests a real server saw, by path. */
class Seen extends BaseHTTPRequestHandler {
  static paths: string[] = [];

  async doPOST(): Promise<void> {
    Seen.paths.push(this.path);
    await this.readBody();
    this.sendResponse(200);
    this.sendHeader('Content-Length', 0);
    this.endHeaders();
  }

  doGET(): Promise<void> {
    return this.doPOST();
  }
}

const SMUGGLED = 'xGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

/** A stream that runs past a Content-Length of 1: its second piece would be read as a second request. */
async function* overlong(): AsyncGenerator<string> {
  yield 'x';
  yield SMUGGLED.slice(1);
}

describe("a caller's Content-Length that does not match the body", () => {
  it('throws before anything is sent for a body of known length', async () => {
    const s = await rawServer(() => {});
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      for (const body of [SMUGGLED, Buffer.from(SMUGGLED), null]) {
        await assert.rejects(
          pool.request({ method: 'POST', path: '/', headers: { 'Content-Length': '1' }, body }),
          (err: Error) =>
            err instanceof ContentLengthMismatch && err.code === 'BH_ERR_CONTENT_LENGTH_MISMATCH',
        );
      }
      assert.equal(s.connections, 0, 'nothing was sent');
    } finally {
      pool.close();
      await s.close();
    }
  });

  it('aborts a stream that runs past or short of it and closes the connection', async () => {
    await withServer(Seen, {}, async ({ port }) => {
      Seen.paths = [];
      const pool = new Pool(`http://127.0.0.1:${port}`);
      try {
        await assert.rejects(
          pool.request({
            method: 'POST',
            path: '/long',
            headers: { 'Content-Length': '1' },
            body: overlong(),
          }),
          ContentLengthMismatch,
        );
        const short = async function* (): AsyncGenerator<string> {
          yield 'abc';
        };
        await assert.rejects(
          pool.request({
            method: 'POST',
            path: '/short',
            headers: { 'Content-Length': '10' },
            body: short(),
          }),
          ContentLengthMismatch,
        );
        await eventually(() => pool.size === 0, 'pool.size === 0');
        assert.equal(await (await pool.request({ path: '/after' })).text(), '');
        assert.ok(!Seen.paths.includes('/smuggled'), Seen.paths.join(' '));
      } finally {
        pool.close();
      }
    });
  });

  it('a server never sees a smuggled second request through a raw socket either', async () => {
    const s = await rawServer(() => {});
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      await assert.rejects(
        pool.request({ method: 'POST', path: '/', headers: { 'Content-Length': '1' }, body: overlong() }),
        ContentLengthMismatch,
      );
      await eventually(() => s.open === 0, 's.open === 0');
      assert.ok(!s.received.join('').includes('smuggled'), s.received.join(''));
    } finally {
      pool.close();
      await s.close();
    }
  });
});

describe('transport failures reach the caller typed, with their cause', () => {
  it('a reset mid-body is an IncompleteRead whose cause is a ConnectionFailed with the socket error', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial', () => {
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      const res = await pool.request({ path: '/' });
      await assert.rejects(res.read(), (err: Error) => {
        assert.ok(err instanceof IncompleteRead, String(err));
        assert.equal(err.partial.toString(), 'partial');
        assert.ok(err.cause instanceof ConnectionFailed, String(err.cause));
        assert.equal((err.cause.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
        return true;
      });
    } finally {
      pool.close();
      await s.close();
    }
  });

  it('a reset mid-head and a refused connection are ConnectionFailed with the socket error', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Le', () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    try {
      await assert.rejects(pool.request({ path: '/' }), (err: Error) => {
        assert.ok(err instanceof ConnectionFailed, String(err));
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
        return true;
      });
    } finally {
      pool.close();
      await s.close();
    }
    const refused = new Pool(`http://127.0.0.1:${s.port}`);
    await assert.rejects(refused.request({ path: '/' }), (err: Error) => {
      assert.ok(err instanceof ConnectionFailed, String(err));
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
    refused.close();
  });
});

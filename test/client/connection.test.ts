import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import {
  BadStatusLine,
  Headers,
  HTTPConnection,
  HTTPSConnection,
  IncompleteRead,
  InvalidHeader,
  InvalidURL,
  LineTooLong,
  RemoteDisconnected,
  ResponseNotReady,
  TimeoutError,
} from '../../src/index.js';
import { serverForSuite } from '../helpers/server.js';
import { Echo } from '../server/handlers.js';
import { rawServer } from './raw-server.js';

describe('HTTPConnection against basehttp', () => {
  const ctx = serverForSuite(Echo);

  it('GET, HEAD, POST and a chunked PUT on one kept-alive socket', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port, { timeout: 5000 });
    await conn.request('GET', '/index.html', { headers: { Accept: 'text/html' } });
    let res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal(res.reason, 'OK');
    assert.equal(res.version, 11);
    assert.equal(res.getheader('content-type'), 'text/plain');
    assert.equal(res.getheader('x-missing', 'none'), 'none');
    assert.ok(res.getheaders().some(([k, v]) => k === 'Content-Type' && v === 'text/plain'));
    assert.equal(res.isclosed(), false);
    assert.equal((await res.read()).toString(), 'hello /index.html');
    assert.equal(res.isclosed(), true);
    const socket = conn.sock;

    await conn.request('HEAD', '/');
    res = await conn.getresponse();
    assert.equal(res.getheader('content-length'), '42');
    assert.equal((await res.read()).length, 0, 'no body for HEAD even with a Content-Length');

    await conn.request('POST', '/p', { body: 'payload' });
    res = await conn.getresponse();
    assert.equal((await res.read()).toString(), 'payload');

    async function* pieces(): AsyncGenerator<string> {
      yield 'chunk-1 ';
      yield 'chunk-2';
    }
    await conn.request('PUT', '/c', { body: pieces() });
    res = await conn.getresponse();
    assert.equal(res.getheader('x-method'), 'PUT');
    assert.equal((await res.read()).toString(), 'chunk-1 chunk-2');

    assert.equal(conn.sock, socket, 'the same socket served every request');
    conn.close();
    assert.equal(conn.sock, null);
  });

  it('reads in pieces with read(n) and by async iteration', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    const body = 'x'.repeat(100_000);
    await conn.request('POST', '/', { body });
    const res = await conn.getresponse();
    assert.equal((await res.read(10)).toString(), 'xxxxxxxxxx');
    assert.equal((await res.read(0)).length, 0);
    let rest = 0;
    for await (const piece of res) rest += piece.length;
    assert.equal(rest, body.length - 10);
    conn.close();
  });

  it('step by step: putrequest, putheader, endheaders, send', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    conn.putrequest('POST', '/steps');
    conn.putheader('Content-Length', 11);
    conn.putheader('X-Multi', 'a', 'b');
    await conn.endheaders('hello');
    await conn.send(' world');
    const res = await conn.getresponse();
    assert.equal((await res.read()).toString(), 'hello world');
    assert.throws(() => conn.putheader('X', 'y'), ResponseNotReady);
    await assert.rejects(conn.getresponse(), ResponseNotReady);
    conn.close();
  });

  it('refuses a new request while the last response is unread', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    await conn.request('GET', '/a');
    await assert.rejects(conn.request('GET', '/b'), ResponseNotReady);
    const res = await conn.getresponse();
    await assert.rejects(conn.request('GET', '/b'), /not been read to its end/);
    await res.read();
    await conn.request('GET', '/b');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'hello /b');
    conn.close();
  });

  it('Expect: 100-continue sends the body after the interim response', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    await conn.request('POST', '/e', { body: 'after continue', headers: { Expect: '100-continue' } });
    const res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal((await res.read()).toString(), 'after continue');
    conn.close();
  });

  it('refuses CR, LF and NUL in the URL, method or headers before sending anything', async () => {
    const conn = new HTTPConnection('127.0.0.1', ctx.port);
    await assert.rejects(conn.request('GET', '/a\r\nX-Injected: 1'), InvalidURL);
    await assert.rejects(conn.request('GET', '/a b'), InvalidURL);
    await assert.rejects(conn.request('GET', '/a\0b'), InvalidURL);
    await assert.rejects(conn.request('GE\nT', '/'), InvalidURL);
    await assert.rejects(conn.request('GET', '/', { headers: { 'X-A': 'v\r\nX-B: w' } }), InvalidHeader);
    await assert.rejects(conn.request('GET', '/', { headers: { 'X-A': 'v\0' } }), InvalidHeader);
    await assert.rejects(conn.request('GET', '/', { headers: { 'Bad Name': 'v' } }), /Invalid header name/);
    await assert.rejects(conn.request('GET', '/', { headers: { 'X:Y': 'v' } }), InvalidHeader);
    conn.putrequest('GET', '/');
    conn.putheader('X-Evil', 'a\nb');
    await assert.rejects(conn.endheaders(), InvalidHeader);
    assert.equal(conn.sock, null, 'nothing was sent: the connection was never opened');
  });
});

describe('HTTPConnection: how a streamed body is framed', () => {
  for (const [what, headers, encodeChunked, head, body] of [
    [
      'no length: chunked',
      {},
      false,
      /\r\nTransfer-Encoding: chunked\r\n\r\n$/,
      '2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n',
    ],
    [
      'a Content-Length of the caller: raw',
      { 'Content-Length': '5' },
      true,
      /\r\nContent-Length: 5\r\n\r\n$/,
      'abcde',
    ],
    [
      'a Transfer-Encoding of the caller, encodeChunked: chunked here',
      { 'Transfer-Encoding': 'chunked' },
      true,
      /\r\nTransfer-Encoding: chunked\r\n\r\n$/,
      '2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n',
    ],
    [
      'a Transfer-Encoding of the caller alone: the caller frames',
      { 'Transfer-Encoding': 'chunked' },
      false,
      /\r\nTransfer-Encoding: chunked\r\n\r\n$/,
      'abcde',
    ],
  ] as const) {
    it(what, async () => {
      let request = '';
      const s = await rawServer((socket, received) => {
        request = received;
        if (received.includes(body)) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      });
      const conn = new HTTPConnection('127.0.0.1', s.port, { timeout: 2000 });
      async function* pieces(): AsyncGenerator<string> {
        yield 'ab';
        yield 'cde';
      }
      await conn.request('PUT', '/', { body: pieces(), headers, encodeChunked });
      assert.equal((await conn.getresponse()).status, 204);
      const [sentHead, sentBody] = [
        request.slice(0, request.indexOf('\r\n\r\n') + 4),
        request.slice(request.indexOf('\r\n\r\n') + 4),
      ];
      assert.match(sentHead, head);
      assert.doesNotMatch(
        sentHead,
        /Content-Length[\s\S]*Transfer-Encoding|Transfer-Encoding[\s\S]*Content-Length/,
      );
      assert.ok(
        (sentHead.match(/Transfer-Encoding/g)?.length ?? 0) <= 1,
        'never two Transfer-Encoding fields',
      );
      assert.equal(sentBody, body);
      conn.close();
      await s.close();
    });
  }
});

describe('HTTPConnection: Host', () => {
  it('puts an IPv6 address in brackets, with the port when not the default', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n'), '::1');
    const conn = new HTTPConnection('::1', s.port);
    await conn.request('GET', '/');
    assert.equal((await conn.getresponse()).status, 204);
    assert.match(s.received[0]!, new RegExp(`^GET / HTTP/1\\.1\\r\\nHost: \\[::1\\]:${s.port}\\r\\n`));
    conn.close();
    await s.close();
  });

  it('leaves the default port out, and a Host given by the caller alone', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n'));
    /** Says port 80 (as Host will show) but connects to the test server. */
    class OnPort80 extends HTTPConnection {
      protected override openSocket(onread: net.OnReadOpts): net.Socket {
        return net.connect({ host: '127.0.0.1', port: s.port, onread });
      }
    }
    const conn = new OnPort80('example.test', 80);
    await conn.request('GET', '/');
    await (await conn.getresponse()).read();
    await conn.request('GET', '/', { headers: { Host: 'other.test' } });
    await (await conn.getresponse()).read();
    const sent = s.received[0]!.split('GET').slice(1);
    assert.match(sent[0]!, /\r\nHost: example\.test\r\n/);
    assert.match(sent[1]!, /\r\nHost: other\.test\r\n/);
    assert.equal(sent[1]!.match(/Host:/g)?.length, 1);
    conn.close();
    await s.close();
  });
});

describe('HTTPConnection against servers that misbehave', () => {
  it('a garbage answer is BadStatusLine', async () => {
    const s = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), (err: Error) => {
      assert.ok(err instanceof BadStatusLine);
      assert.match(err.message, /Bad status line: "SSH-2\.0-OpenSSH"/);
      return true;
    });
    conn.close();
    await s.close();
  });

  it('a status line over the limit is LineTooLong', async () => {
    const s = await rawServer((socket) => socket.write(`HTTP/1.1 200 ${'x'.repeat(20_000)}\r\n\r\n`));
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), LineTooLong);
    conn.close();
    await s.close();
  });

  it('a server that closes a kept-alive socket: RemoteDisconnected, then a fresh connection works', async () => {
    // Answers the first request on each connection and drops the connection at the second.
    const s = await rawServer((socket, received) => {
      if (received.split('GET').length === 2) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/1');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'ok');
    await conn.request('GET', '/2');
    await assert.rejects(conn.getresponse(), RemoteDisconnected);
    await conn.request('GET', '/3');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'ok', 'a new connection');
    assert.equal(s.connections, 2);
    conn.close();
    await s.close();
  });

  it('Connection: close and HTTP/1.0 answers close the socket; the next request reconnects', async () => {
    const s = await rawServer((socket, _r, index) =>
      socket.write(
        index === 0
          ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na'
          : 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb',
      ),
    );
    const conn = new HTTPConnection('127.0.0.1', s.port);
    for (const expected of ['a', 'b']) {
      await conn.request('GET', '/');
      assert.equal((await (await conn.getresponse()).read()).toString(), expected);
    }
    assert.equal(s.connections, 2);
    conn.close();
    await s.close();
  });

  it('a server that never answers: TimeoutError for the head, and for a body that stops half-way', async () => {
    const s = await rawServer((socket, received) => {
      if (received.startsWith('GET /half')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    });
    const conn = new HTTPConnection('127.0.0.1', s.port, { timeout: 200 });
    await conn.request('GET', '/silent');
    await assert.rejects(conn.getresponse(), (err: Error) => {
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.message, `no answer from 127.0.0.1:${s.port} within 200 ms`);
      return true;
    });
    await conn.request('GET', '/half');
    const res = await conn.getresponse();
    assert.equal((await res.read(4)).toString(), 'half');
    await assert.rejects(res.read(), TimeoutError);
    conn.close();
    await s.close();
  });

  it('a body read slowly is not a timeout; a server that then stalls is', { timeout: 5000 }, async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst'));
    const conn = new HTTPConnection('127.0.0.1', s.port, { timeout: 100 });
    await conn.request('GET', '/');
    const res = await conn.getresponse();
    // The reader takes its time: three timeouts' worth with no wait on the server.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await res.read(5)).toString(), 'first');
    await assert.rejects(res.read(), TimeoutError);
    conn.close();
    await s.close();
  });

  it('a TLS handshake that never completes is a connect timeout', async () => {
    const s = await rawServer(() => {});
    const conn = new HTTPSConnection('127.0.0.1', s.port, { timeout: 200 });
    await assert.rejects(conn.request('GET', '/'), /connecting to 127\.0\.0\.1:\d+ timed out after 200 ms/);
    conn.close();
    await s.close();
  });

  for (const [what, answer, end, partial, expected, why] of [
    [
      'a huge Content-Length that never comes',
      'HTTP/1.1 200 OK\r\nContent-Length: 9007199254740991\r\n\r\nhello',
      true,
      'hello',
      9007199254740991 - 5,
      /Connection closed before the body was complete/,
    ],
    [
      'broken chunked framing',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n',
      false,
      'abc',
      null,
      /Invalid chunk size/,
    ],
  ] as const) {
    it(`${what} is an IncompleteRead with what arrived and why`, async () => {
      const s = await rawServer((socket) => (end ? socket.end(answer) : socket.write(answer)));
      const conn = new HTTPConnection('127.0.0.1', s.port);
      await conn.request('GET', '/');
      const res = await conn.getresponse();
      await assert.rejects(res.read(), (err: unknown) => {
        assert.ok(err instanceof IncompleteRead);
        assert.equal(err.partial.toString(), partial);
        assert.equal(err.expected, expected);
        assert.match(err.message, why);
        return true;
      });
      conn.close();
      await s.close();
    });
  }

  it('skips interim responses, but not a flood of them', async () => {
    const ok = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
      ),
    );
    const conn = new HTTPConnection('127.0.0.1', ok.port);
    await conn.request('GET', '/');
    const res = await conn.getresponse();
    assert.equal(res.status, 200);
    assert.equal((await res.read()).toString(), 'x');
    conn.close();
    await ok.close();
    const flood = await rawServer((socket) => socket.write('HTTP/1.1 102 Processing\r\n\r\n'.repeat(150)));
    const c2 = new HTTPConnection('127.0.0.1', flood.port);
    await c2.request('GET', '/');
    await assert.rejects(c2.getresponse(), /more than 100 interim responses/);
    c2.close();
    await flood.close();
  });

  it('no body for 204, 304 and HEAD whatever the headers say: the next response is read in step', async () => {
    const s = await rawServer((socket, received) => {
      const n = received.split('HTTP/1.1\r\n').length - 1;
      socket.write(
        [
          'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n',
          'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n',
          'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n',
          'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast',
        ][n - 1]!,
      );
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    for (const [method, status, body] of [
      ['GET', 204, ''],
      ['GET', 304, ''],
      ['HEAD', 200, ''],
      ['GET', 200, 'last'],
    ] as const) {
      await conn.request(method, '/');
      const res = await conn.getresponse();
      assert.equal(res.status, status);
      assert.equal((await res.read()).toString(), body);
    }
    assert.equal(s.connections, 1);
    conn.close();
    await s.close();
  });

  it('reads chunked responses with trailers, close-delimited bodies, and unfolds obs-fold', async () => {
    const s = await rawServer((socket, received) => {
      if (!received.includes('GET /close'))
        socket.write(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Folded: a\r\n  b\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n',
        );
      else socket.end('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/chunked');
    const res = await conn.getresponse();
    assert.equal(res.getheader('x-folded'), 'a b');
    assert.equal(res.trailers, null, 'trailers come after the body');
    assert.equal((await res.read()).toString(), 'abcde');
    assert.equal((res.trailers as Headers | null)?.get('x-sum'), '5');
    await conn.request('GET', '/close');
    const until = await conn.getresponse();
    assert.equal((await until.read()).toString(), 'until the end');
    assert.equal(until.trailers, null);
    conn.close();
    await s.close();
  });
});

describe('HTTPConnection: Expect: 100-continue', () => {
  it('sends the body anyway after continueTimeout when the server says nothing', async () => {
    const s = await rawServer((socket, received) => {
      if (received.endsWith('\r\n\r\nbody')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ngot');
    });
    const conn = new HTTPConnection('127.0.0.1', s.port, { continueTimeout: 100 });
    await conn.request('PUT', '/', { body: 'body', headers: { Expect: '100-continue' } });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'got');
    conn.close();
    await s.close();
  });

  it('keeps the body back when the final answer comes first, and does not reuse the connection', async () => {
    const s = await rawServer((socket, received) => {
      if (received.includes('Expect'))
        socket.write('HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('PUT', '/', { body: 'x'.repeat(1000), headers: { Expect: '100-continue' } });
    const res = await conn.getresponse();
    assert.equal(res.status, 413);
    await res.read();
    assert.doesNotMatch(s.received[0]!, /xxx/, 'the body was not sent');
    await conn.request('GET', '/');
    assert.equal((await (await conn.getresponse()).read()).toString(), 'ok');
    assert.equal(s.connections, 2, 'a new connection for the next request');
    conn.close();
    await s.close();
  });
});

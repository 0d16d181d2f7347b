import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { pipeline } from 'node:stream/promises';
import { exchangeRaw, parseResponses, serverForSuite, startServer, withServer } from '../helpers/server.js';
import { eventually, received } from '../helpers/wait.js';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';
import { Echo, Hello, LazyReader, Slow, Stream } from './handlers.js';

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

describe('connection: persistence, pipelining, framing', () => {
  const ctx = serverForSuite(Echo);

  it('keeps an HTTP/1.1 connection open and answers pipelined requests in order', async () => {
    const r = await exchangeRaw(ctx.port, GET('/1') + GET('/2') + GET('/3'), { responses: 3 });
    const list = parseResponses(r.bytes);
    assert.deepEqual(
      list.map((x) => x.body.toString()),
      ['hello /1', 'hello /2', 'hello /3'],
    );
    assert.equal(r.closed, false, 'the connection stays open');
  });

  it('answers requests sent one after another on one socket', async () => {
    const r = await exchangeRaw(ctx.port, [GET('/a'), GET('/b')], { pauseMs: 50, responses: 2 });
    assert.deepEqual(
      parseResponses(r.bytes).map((x) => x.body.toString()),
      ['hello /a', 'hello /b'],
    );
  });

  it('closes after Connection: close', async () => {
    const r = await exchangeRaw(ctx.port, GET('/c', 'Connection: close\r\n') + GET('/never'), {
      untilClose: true,
    });
    const list = parseResponses(r.bytes);
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.headers.get('connection'), ['close']);
    assert.equal(r.closed, true);
  });

  it('HTTP/1.0: closes by default; keeps alive on request when the length is known', async () => {
    const plain = await exchangeRaw(ctx.port, 'GET /x HTTP/1.0\r\n\r\n', { untilClose: true });
    assert.equal(plain.closed, true);
    const list0 = parseResponses(plain.bytes);
    assert.equal(list0[0]!.version, 'HTTP/1.1');
    assert.deepEqual(list0[0]!.headers.get('connection'), ['close']);
    const ka = await exchangeRaw(
      ctx.port,
      'GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n',
      { untilClose: true },
    );
    const list = parseResponses(ka.bytes);
    assert.deepEqual(
      list.map((x) => x.body.toString()),
      ['hello /1', 'hello /2'],
    );
    assert.deepEqual(list[0]!.headers.get('connection'), ['keep-alive']);
    assert.equal(ka.closed, true, 'the second request did not ask to keep alive');
  });

  it('HEAD gets the head with its Content-Length and never a body', async () => {
    const r = await exchangeRaw(ctx.port, `HEAD / HTTP/1.1\r\nHost: t\r\n\r\n${GET('/after')}`);
    const list = parseResponses(r.bytes, new Set([0]));
    assert.deepEqual(list[0]!.headers.get('content-length'), ['42']);
    assert.equal(list[0]!.body.length, 0);
    assert.equal(list[1]!.body.toString(), 'hello /after', 'the next response starts right after the head');
  });

  it('reads a chunked upload and echoes it', async () => {
    const body =
      'POST /e HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\n';
    const r = await exchangeRaw(ctx.port, [body.slice(0, 60), body.slice(60)], { responses: 1 });
    assert.equal(parseResponses(r.bytes)[0]!.body.toString(), 'wikipedia');
  });

  it('an unread body is drained so the next request on the connection starts at the right byte', async () => {
    const payload = 'x'.repeat(100_000);
    const del = `DELETE /d HTTP/1.1\r\nHost: t\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`;
    const chunked = `DELETE /d HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n`;
    const r = await exchangeRaw(ctx.port, [del + chunked, GET('/next')], { responses: 3 });
    const list = parseResponses(r.bytes);
    assert.deepEqual(
      list.map((x) => x.status),
      [204, 204, 200],
    );
    assert.equal(list[2]!.body.toString(), 'hello /next');
  });

  it('a large unread body closes the connection instead of draining it', async () => {
    await withServer(Echo, { maxDrainBytes: 1000 }, async (s) => {
      const payload = 'y'.repeat(50_000);
      const r = await exchangeRaw(
        s.port,
        `DELETE /d HTTP/1.1\r\nHost: t\r\nContent-Length: ${payload.length}\r\n\r\n${payload}${GET('/x')}`,
        { untilClose: true },
      );
      const list = parseResponses(r.bytes);
      assert.equal(list.length, 1);
      assert.equal(list[0]!.status, 204);
      assert.equal(r.closed, true);
    });
  });

  it('Expect: 100-continue: the interim response comes when the handler reads, then the final one', async () => {
    const socket = net.connect(ctx.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString('latin1'))));
    assert.equal(interim, 'HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    const final = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString('latin1'))));
    socket.destroy();
    const [res] = parseResponses(Buffer.from(final, 'latin1'));
    assert.equal(res!.status, 200);
    assert.equal(res!.body.toString(), 'hello');
  });

  it('Expect: 100-continue refused without reading: no 100, and the connection closes', async () => {
    const r = await exchangeRaw(
      ctx.port,
      'DELETE /c HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      { untilClose: true },
    );
    assert.doesNotMatch(r.text, /100 Continue/);
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.status, 204);
    assert.deepEqual(res!.headers.get('connection'), ['close']);
    assert.equal(r.closed, true);
  });

  it('Expect: 100-continue: no 100 once the final response has started, even when the handler reads then', async () => {
    class AnswerThenRead extends BaseHTTPRequestHandler {
      async doPOST(): Promise<void> {
        this.sendResponse(200);
        this.endHeaders();
        this.flushHeaders();
        await pipeline(this.rfile, this.wfile);
      }
    }
    await withServer(AnswerThenRead, {}, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      const ended = new Promise((r) => socket.once('end', r));
      socket.write('POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      while (!text.includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 5));
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, 'the final head came first');
      socket.write('hello'); // the client sends its body anyway, as it may
      await ended;
      assert.doesNotMatch(text, /100 Continue/);
      const [res] = parseResponses(Buffer.from(text, 'latin1'));
      assert.equal(res!.body.toString(), 'hello');
      assert.deepEqual(
        res!.headers.get('connection'),
        ['close'],
        'no 100 went out, so the connection closes',
      );
    });
  });

  it('handleExpect100() overridden: refuse before the body is sent, or invite it at once with sendContinue()', async () => {
    class Gate extends Echo {
      override handleExpect100(): boolean {
        if (Number(this.headers.get('Content-Length')) > 10) {
          this.sendError(413);
          return false;
        }
        this.sendContinue();
        return true;
      }
    }
    await withServer(Gate, {}, async (s) => {
      const refused = await exchangeRaw(
        s.port,
        'POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n',
      );
      assert.doesNotMatch(refused.text, /100 Continue/);
      assert.equal(parseResponses(refused.bytes)[0]!.status, 413);
      assert.equal(refused.closed, true);

      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.write('POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      // The 100 comes before any body byte was sent, and before the handler read anything.
      while (!text.includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 5));
      assert.equal(text, 'HTTP/1.1 100 Continue\r\n\r\n');
      socket.write('hello');
      while (!text.endsWith('hello')) await new Promise((r) => setTimeout(r, 5));
      socket.destroy();
    });
  });

  it('a client that half-closes in the middle of its body gets a 400, not a short body', async () => {
    const r = await exchangeRaw(ctx.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc', {
      halfClose: true,
      untilClose: true,
    });
    const list = parseResponses(r.bytes);
    assert.deepEqual(
      list.map((x) => x.status),
      [400],
    );
    assert.equal(r.closed, true);
  });

  it('a client that half-closes after its request still gets the response', async () => {
    const r = await exchangeRaw(ctx.port, GET('/half') + GET('/half2'), {
      halfClose: true,
      untilClose: true,
    });
    assert.deepEqual(
      parseResponses(r.bytes).map((x) => x.body.toString()),
      ['hello /half', 'hello /half2'],
    );
    assert.equal(r.closed, true);
  });

  it('a protocol error gets its status, Connection: close, and the connection is closed', async () => {
    const r = await exchangeRaw(
      ctx.port,
      `GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n${GET('/x')}`,
      { untilClose: true },
    );
    const list = parseResponses(r.bytes);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.status, 400);
    assert.deepEqual(list[0]!.headers.get('connection'), ['close']);
    assert.match(list[0]!.body.toString(), /Conflicting Content-Length/);
    assert.equal(r.closed, true);
  });

  it('protocol errors map to 414, 431, 505, 501 and 417 over a socket', async () => {
    const cases: Array<[string, number]> = [
      [`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: t\r\n\r\n`, 414],
      [`GET / HTTP/1.1\r\nHost: t\r\nX: ${'b'.repeat(70_000)}\r\n\r\n`, 431],
      ['GET / HTTP/2.0\r\nHost: t\r\n\r\n', 505],
      ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: br, chunked\r\n\r\n', 501],
      ['GET / HTTP/1.1\r\nHost: t\r\nExpect: something\r\n\r\n', 417],
    ];
    for (const [input, status] of cases) {
      const r = await exchangeRaw(ctx.port, input, { untilClose: true });
      assert.equal(parseResponses(r.bytes)[0]!.status, status, input.slice(0, 40));
      assert.equal(r.closed, true);
    }
  });
});

describe('connection: streaming and backpressure', () => {
  it('a response without Content-Length is chunked under HTTP/1.1 and close-delimited under HTTP/1.0', async () => {
    await withServer(Stream, {}, async (s) => {
      const r11 = await exchangeRaw(s.port, GET('/?n=200000'));
      const [res] = parseResponses(r11.bytes);
      assert.deepEqual(res!.headers.get('transfer-encoding'), ['chunked']);
      assert.equal(res!.body.length, 200_000);
      assert.equal(r11.closed, false);
      const r10 = await exchangeRaw(s.port, 'GET /?n=1000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const [res10] = parseResponses(r10.bytes);
      assert.equal(res10!.headers.get('transfer-encoding'), undefined);
      assert.equal(res10!.body.length, 1000);
      assert.equal(r10.closed, true);
    });
  });

  it('a client that does not read its response holds the handler back instead of filling memory', async () => {
    await withServer(Stream, {}, async (s) => {
      const total = 256 * 1024 * 1024;
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.pause();
      socket.write(GET(`/?n=${total}`));
      await new Promise((r) => setTimeout(r, 400));
      // Kernel buffers on both sides plus the stream's high-water mark: a few MiB at most, not 256.
      assert.ok(
        Stream.produced < 32 * 1024 * 1024,
        `produced ${Stream.produced} bytes while the client slept`,
      );
      let received = 0;
      socket.on('data', (d: Buffer) => (received += d.length));
      socket.resume();
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (Stream.produced === total && received > total) {
            clearInterval(check);
            resolve();
          }
        }, 20);
      });
      socket.destroy();
      assert.ok(received > total);
    });
  });

  it('a handler that has not read the body yet does not make the server buffer it', async () => {
    await withServer(LazyReader, { maxBufferedBytes: 256 * 1024 }, async (s) => {
      const size = 64 * 1024 * 1024;
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`);
      const chunk = Buffer.alloc(1024 * 1024, 0x62);
      let written = 0;
      const writeAll = (async () => {
        while (written < size) {
          written += chunk.length;
          if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
        }
      })();
      await new Promise((r) => setTimeout(r, 400));
      const connection = [...s.server.connections][0]!;
      assert.ok(connection.reader.buffered <= 256 * 1024 + 65536, `buffered ${connection.reader.buffered}`);
      assert.ok(written < size, 'the client was held back');
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d) => {
          text += d.toString('latin1');
          if (text.endsWith(String(size))) resolve(text);
        });
      });
      LazyReader.release!();
      await writeAll;
      assert.match(await answer, new RegExp(`\r\n\r\n${size}$`));
      socket.destroy();
    });
  });

  it('pipelined requests from a client that never reads are not all answered into memory', async () => {
    await withServer(Hello, { maxBufferedBytes: 64 * 1024 }, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.pause();
      const request = Buffer.from(GET('/p'));
      const count = 20_000;
      socket.write(Buffer.concat(Array.from({ length: count }, () => request)));
      await new Promise((r) => setTimeout(r, 400));
      const connection = [...s.server.connections][0]!;
      assert.ok(
        connection.socket.writableLength < 4 * 1024 * 1024,
        `queued ${connection.socket.writableLength}`,
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.resume();
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if ((text.match(/HTTP\/1\.1 200/g) ?? []).length === count) {
            clearInterval(check);
            resolve();
          }
        }, 20);
      });
      socket.destroy();
    });
  });

  it('clients that reset while their body is being read leave no connection behind', async () => {
    await withServer(Echo, {}, async (s) => {
      for (let i = 0; i < 20; i++) {
        const socket = net.connect(s.port, '127.0.0.1');
        await new Promise((r) => socket.once('connect', r));
        socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc');
        while (s.server.connections.size === 0) await new Promise((r) => setTimeout(r, 2));
        socket.resetAndDestroy();
        while (s.server.connections.size > 0) await new Promise((r) => setTimeout(r, 2));
      }
      const r = await exchangeRaw(s.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok');
      assert.equal(parseResponses(r.bytes)[0]!.body.toString(), 'ok', 'the server still serves');
      s.server.flushLog();
      assert.equal(
        s.log.filter((l) => /Exception/.test(l)).length,
        0,
        'a client leaving is not a handler error',
      );
    });
  });

  it("a handler reading rfile by 'data' events with no 'error' listener: a failing body cannot crash the server", async () => {
    class Evented extends BaseHTTPRequestHandler {
      doPOST(): Promise<void> {
        return new Promise((resolve) => {
          let size = 0;
          this.rfile.on('data', (d: Buffer) => (size += d.length));
          this.rfile.on('end', () => {
            this.sendResponse(200);
            this.sendHeader('Content-Length', String(size).length);
            this.endHeaders();
            this.wfile.write(String(size));
          });
          this.rfile.on('close', resolve);
        });
      }
    }
    await withServer(Evented, { bodyTimeout: 200 }, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc');
      while (s.server.connections.size === 0) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, 20));
      socket.resetAndDestroy();
      while (s.server.connections.size > 0) await new Promise((r) => setTimeout(r, 2));
      // Bad chunking and a stalled body reach the client as what they are, not as a 500.
      const bad = await exchangeRaw(
        s.port,
        'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      );
      assert.equal(parseResponses(bad.bytes)[0]!.status, 400);
      const stalled = await exchangeRaw(
        s.port,
        'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc',
        {
          idleMs: 2000,
        },
      );
      assert.equal(parseResponses(stalled.bytes)[0]!.status, 408);
      const ok = await exchangeRaw(s.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc');
      assert.equal(parseResponses(ok.bytes)[0]!.body.toString(), '3', 'the server is still up');
    });
  });

  it('a client that pipelines without ever reading is held back: the server stops taking its bytes', async () => {
    await withServer(Hello, { maxBufferedBytes: 64 * 1024 }, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.pause();
      const batch = Buffer.from(GET('/p').repeat(1000));
      const offered = 256 * 1024 * 1024;
      let written = 0;
      // Write until the socket stays backed up for half a second: a server that kept reading (and answering
      // into memory) would take all 256 MiB.
      while (written < offered) {
        written += batch.length;
        if (socket.write(batch)) continue;
        const drained = await Promise.race([
          new Promise((r) => socket.once('drain', () => r(true))),
          new Promise((r) => setTimeout(() => r(false), 500)),
        ]);
        if (!drained) break;
      }
      const connection = [...s.server.connections][0]!;
      assert.ok(written < offered / 8, `the client wrote ${written} bytes`);
      assert.ok(connection.reader.buffered <= 64 * 1024 + batch.length, `held ${connection.reader.buffered}`);
      assert.ok(
        connection.socket.writableLength < 4 * 1024 * 1024,
        `queued ${connection.socket.writableLength}`,
      );
      socket.destroy();
    });
  });

  it('a client that resets mid-response does not crash the server or leak its connection', async () => {
    await withServer(Stream, {}, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(GET(`/?n=${64 * 1024 * 1024}`));
      await new Promise((r) => socket.once('data', r));
      socket.resetAndDestroy();
      await eventually(() => s.server.connections.size === 0, 'the server to drop the reset connection');
      const r = await exchangeRaw(s.port, GET('/?n=10'));
      assert.equal(parseResponses(r.bytes)[0]!.body.length, 10);
    });
  });
});

describe('connection: timeouts', () => {
  it('a client dribbling its head is cut off with 408 (slowloris)', async () => {
    await withServer(Hello, { headersTimeout: 300 }, async (s) => {
      const pieces = ['GET / HTTP/1.1\r\n', ...Array.from({ length: 20 }, (_, i) => `X-${i}: y\r\n`)];
      const r = await exchangeRaw(s.port, pieces, { pauseMs: 60, untilClose: true });
      const [res] = parseResponses(r.bytes);
      assert.equal(res!.status, 408);
      assert.equal(r.closed, true);
    });
  });

  it('an idle keep-alive connection is closed quietly', async () => {
    await withServer(Hello, { keepAliveTimeout: 200 }, async (s) => {
      const r = await exchangeRaw(s.port, GET('/'), { untilClose: true });
      assert.equal(parseResponses(r.bytes).length, 1, 'no 408 after the response');
      assert.equal(r.closed, true);
    });
  });

  it('blank lines between requests do not keep an idle connection open', async () => {
    await withServer(Hello, { keepAliveTimeout: 200 }, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let closed = false;
      socket.on('data', () => {});
      socket.on('close', () => (closed = true));
      socket.write(GET('/'));
      // RFC 9112 §2.2 lets a server skip blank lines before a request; they are not a request. 60 of them,
      // 50 ms apart, span 15 idle timeouts: the server must have closed long before the last one.
      for (let i = 0; i < 60 && !closed; i++) {
        await new Promise((r) => setTimeout(r, 50));
        if (!socket.destroyed) socket.write('\r\n');
      }
      socket.destroy();
      assert.equal(closed, true, 'the connection was still open after 3 s of blank lines');
    });
  });

  it('a client that stops reading its response is disconnected after sendTimeout (slow read)', async () => {
    await withServer(Stream, { sendTimeout: 300 }, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.pause();
      socket.write(GET(`/?n=${256 * 1024 * 1024}`));
      socket.resume();
      await new Promise((r) => socket.once('data', r));
      socket.pause(); // read a little, then never again
      // The server gives up on its side; the paused client would only notice once it reads again.
      while (s.server.connections.size > 0) await new Promise((r) => setTimeout(r, 10));
      socket.destroy();
      assert.ok(Stream.produced < 64 * 1024 * 1024, `produced ${Stream.produced}`);
    });
  });

  it('a stalled request body gets 408 and the connection closes', async () => {
    await withServer(Echo, { bodyTimeout: 200 }, async (s) => {
      const r = await exchangeRaw(
        s.port,
        'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part',
        {
          idleMs: 3000,
        },
      );
      const [res] = parseResponses(r.bytes);
      assert.equal(res!.status, 408);
      assert.equal(r.closed, true);
    });
  });
});

describe('server life cycle', () => {
  it('shutdown() lets a request in flight finish, then serveForever() resolves', async () => {
    let started = false;
    class Watched extends Slow {
      override doGET(): Promise<void> {
        started = true;
        return super.doGET();
      }
    }
    const s = await startServer(Watched);
    const pending = exchangeRaw(s.port, GET('/'), { untilClose: true });
    try {
      await eventually(() => started, 'the request to reach its handler');
    } finally {
      await s.close();
    }
    const r = await pending;
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.body.toString(), 'slow');
    assert.deepEqual(res!.headers.get('connection'), ['close']);
    assert.equal(r.closed, true);
    await assert.rejects(exchangeRaw(s.port, GET('/')), /ECONNREFUSED/);
  });

  it('shutdown() closes a request still running at its deadline, and leaves no connection behind', async () => {
    class Stuck extends BaseHTTPRequestHandler {
      doGET(): Promise<void> {
        return new Promise(() => {}); // never answers
      }
    }
    const s = await startServer(Stuck);
    const pending = exchangeRaw(s.port, GET('/'), { idleMs: 5000 });
    while (s.server.connections.size === 0) await new Promise((r) => setTimeout(r, 5));
    await s.server.shutdown(200);
    assert.equal(s.server.connections.size, 0, 'every connection is gone once shutdown() resolves');
    const r = await pending;
    assert.equal(r.closed, true);
    assert.equal(r.bytes.length, 0, 'nothing was sent for the request that never finished');
    await s.close(); // serveForever() has resolved
  });

  it('shutdown() answers a connection that had not sent its request yet, with Connection: close', async () => {
    const s = await startServer(Hello);
    const socket = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    while (s.server.connections.size === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = s.close();
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    const ended = new Promise((r) => socket.once('end', r));
    socket.write(GET('/late'));
    await ended;
    await closing;
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    assert.equal(res!.body.toString(), 'hello /late');
    assert.deepEqual(res!.headers.get('connection'), ['close']);
  });

  it('handleRequest() answers exactly one request per call', async (t) => {
    const parsed: string[] = [];
    /** Notes each request the server is handed: the sign that it has read the second one, and holds it. */
    class Watched extends HTTPServer {
      override handle(exchange: Parameters<HTTPServer['handle']>[0]): void | Promise<void> {
        parsed.push(exchange.requestLine);
        return super.handle(exchange);
      }
    }
    const server = new Watched({ host: '127.0.0.1', port: 0 }, Hello, { logStream: null });
    await server.listen();
    t.after(() => server.serverClose());
    const socket = net.connect(server.serverPort, '127.0.0.1');
    t.after(() => socket.destroy());
    const answers = received(socket);
    socket.write(GET('/1') + GET('/2'));
    await server.handleRequest();
    await answers.until(/hello \/1$/);
    await eventually(() => parsed.length === 2, 'the server to read the second request');
    // Held: a response to it would be written at once; the window lets one that should not be there arrive.
    await new Promise((r) => setTimeout(r, 100));
    assert.match(answers.text(), /hello \/1$/);
    assert.doesNotMatch(answers.text(), /hello \/2/, 'the second request waits for the next call');
    await server.handleRequest();
    await answers.until(/hello \/2$/);
    assert.match(answers.text(), /hello \/1[\s\S]*hello \/2$/);
  });

  it('listens on IPv6 loopback', async () => {
    const server = new HTTPServer({ host: '::1', port: 0 }, Hello, { logStream: null });
    try {
      await server.listen();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return; // no IPv6 on this host
      throw err;
    }
    const serving = server.serveForever();
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server.serverPort, '::1');
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      socket.write(GET('/six', 'Connection: close\r\n'));
    });
    assert.match(text, /hello \/six$/);
    assert.deepEqual(server.serverAddress, ['::1', server.serverPort]);
    await server.shutdown();
    await serving;
  });

  it('a port in use rejects listen() with EADDRINUSE', async () => {
    const s = await startServer(Hello);

    const clash = new HTTPServer({ host: '127.0.0.1', port: s.port }, Hello, { logStream: null });
    await assert.rejects(clash.listen(), { code: 'EADDRINUSE' });
    await s.close();
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BaseHTTPRequestHandler, HeaderValueError, VERSION } from '../../src/index.js';
import { exchangeRaw, parseResponses, serverForSuite, withServer } from '../helpers/server.js';
import { Broken, Hello } from './handlers.js';

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
const LOG_LINE = /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4} \d{2}:\d{2}:\d{2}\] /;

describe('BaseHTTPRequestHandler', () => {
  const ctx = serverForSuite(Broken);

  it('dispatches do<METHOD> case-sensitively and answers 501 for a missing one', async () => {
    const r = await exchangeRaw(ctx.port, 'get / HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 });
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.status, 501);
    assert.equal(res!.reason, "Unsupported method ('get')");
    assert.match(res!.body.toString(), /Unsupported method \('get'\)/);
  });

  it('a lowercase method is a valid token: it dispatches to its own do<method>, SPAM to doSPAM', async () => {
    class Methods extends BaseHTTPRequestHandler {
      private answer(): void {
        this.sendResponse(200);
        this.sendHeader('Content-Length', this.command.length);
        this.endHeaders();
        this.wfile.write(this.command);
      }
      doget(): void {
        this.answer();
      }
      doSPAM(): void {
        this.answer();
      }
    }
    await withServer(Methods, {}, async (s) => {
      const r = await exchangeRaw(
        s.port,
        'get / HTTP/1.1\r\nHost: t\r\n\r\nSPAM / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n',
        { responses: 3 },
      );
      assert.deepEqual(
        parseResponses(r.bytes).map((x) => `${x.status} ${x.body.toString().slice(0, 4)}`),
        ['200 get', '200 SPAM', '501 <!DO'],
      );
    });
  });

  it('sendError writes an escaped HTML page with an exact Content-Length and Connection: close', async () => {
    const r = await exchangeRaw(ctx.port, GET('/missing'), { responses: 1 });
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.status, 404);
    assert.deepEqual(res!.headers.get('content-type'), ['text/html;charset=utf-8']);
    assert.deepEqual(res!.headers.get('content-length'), [String(res!.body.length)]);
    assert.deepEqual(res!.headers.get('connection'), ['close']);
    const page = res!.body.toString();
    assert.match(page, /Message: No &lt;such&gt; page\./);
    assert.match(page, /404 - The path was "not" found &amp; that is &lt;b&gt;that&lt;\/b&gt;\./);
    assert.doesNotMatch(page, /<such>|<b>/);
    assert.equal(r.closed, true);
  });

  it('sendError fills the page in one pass: $& or a placeholder inside the message stays text', async () => {
    class Dollars extends BaseHTTPRequestHandler {
      doGET(): void {
        this.sendError(404, "costs $& or $' %(explain)s", 'why');
      }
    }
    await withServer(Dollars, {}, async (s) => {
      const [res] = parseResponses((await exchangeRaw(s.port, GET('/'), { responses: 1 })).bytes);
      const page = res!.body.toString();
      assert.match(
        page,
        /<p>Message: costs \$&amp; or \$' %\(explain\)s\.<\/p>\n<p>Error code explanation: 404 - why\.<\/p>/,
      );
      assert.deepEqual(res!.headers.get('content-length'), [String(res!.body.length)]);
    });
  });

  it('sendError has no body for HEAD', async () => {
    class HeadError extends BaseHTTPRequestHandler {
      doHEAD(): void {
        this.sendError(404);
      }
    }
    await withServer(HeadError, {}, async (s) => {
      const r = await exchangeRaw(s.port, 'HEAD / HTTP/1.1\r\nHost: t\r\n\r\n');
      const [res] = parseResponses(r.bytes, new Set([0]));
      assert.equal(res!.status, 404);
      assert.ok(Number(res!.headers.get('content-length')![0]) > 0);
      assert.equal(r.bytes.length, r.text.indexOf('\r\n\r\n') + 4, 'nothing after the head');
    });
  });

  it('a handler that throws gets a 500 and one log line with the error; the server keeps serving', async () => {
    const before = ctx.log.length;
    const r = await exchangeRaw(ctx.port, GET('/sync'), { responses: 1 });
    assert.equal(parseResponses(r.bytes)[0]!.status, 500);
    const r2 = await exchangeRaw(ctx.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n', {
      responses: 1,
    });
    assert.equal(parseResponses(r2.bytes)[0]!.status, 500);
    ctx.server.flushLog();
    const lines = ctx.log.slice(before).join('\n');
    assert.match(lines, /Exception in GET handler: Error: sync failure/);
    assert.match(lines, /Exception in POST handler: TypeError: async failure/);
  });

  it('a handler whose constructor throws: 500 and a log line, and a bad request cannot crash the server', async () => {
    class Fragile extends BaseHTTPRequestHandler {
      // A field initialiser that trusts the request: throws when X-User is missing, as on a refused request.
      user = this.headers.get('X-User')!.toLowerCase();
      doGET(): void {
        this.sendResponse(200);
        this.sendHeader('Content-Length', this.user.length);
        this.endHeaders();
        this.wfile.write(this.user);
      }
    }
    await withServer(Fragile, {}, async (s) => {
      const missing = await exchangeRaw(s.port, GET('/'), { responses: 1 });
      assert.equal(parseResponses(missing.bytes)[0]!.status, 500);
      const bad = await exchangeRaw(s.port, 'GET / HTTP/9.9\r\n\r\n');
      assert.equal(parseResponses(bad.bytes)[0]!.status, 505, 'the protocol error is still answered');
      const good = await exchangeRaw(s.port, GET('/', 'X-User: ADA\r\n'), { responses: 1 });
      assert.equal(parseResponses(good.bytes)[0]!.body.toString(), 'ada');
      s.server.flushLog();
      assert.equal(s.log.filter((l) => /Exception in Fragile constructor: TypeError/.test(l)).length, 2);
    });
  });

  it('an override that throws while a bad request is refused cannot crash the server', async () => {
    class BrokenLog extends Hello {
      override logError(): void {
        throw new Error('the log broke');
      }
    }
    await withServer(BrokenLog, {}, async (s) => {
      const bad = await exchangeRaw(s.port, 'GET / HTTP/9.9\r\n\r\n');
      assert.equal(parseResponses(bad.bytes)[0]!.status, 505, 'answered by the stand-in');
      assert.equal(bad.closed, true);
      const good = await exchangeRaw(s.port, GET('/ok'), { responses: 1 });
      assert.equal(parseResponses(good.bytes)[0]!.body.toString(), 'hello /ok');
      s.server.flushLog();
      assert.ok(
        s.log.some((l) => /^127\.0\.0\.1 - - \[.*\] refusing a request failed: the log broke$/.test(l)),
        s.log.join('\n'),
      );
    });
  });

  it('a handler that returns without a response gets a 500', async () => {
    const r = await exchangeRaw(ctx.port, GET('/nothing'), { responses: 1 });
    assert.equal(parseResponses(r.bytes)[0]!.status, 500);
  });

  it('a failure after the head was sent closes the connection: no complete-looking response', async () => {
    const r = await exchangeRaw(ctx.port, GET('/late') + GET('/next'));
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.text, /partial/);
    assert.doesNotMatch(r.text, /\r\n0\r\n\r\n$/, 'no last chunk');
    assert.equal((r.text.match(/HTTP\/1\.1/g) ?? []).length, 1, 'the pipelined request is not answered');
    assert.equal(r.closed, true);
  });

  it('a header sent after endHeaders() is an error, not silently dropped: logged, connection closed', async () => {
    const before = ctx.log.length;
    const r = await exchangeRaw(ctx.port, GET('/late-header') + GET('/next'));
    assert.equal(parseResponses(r.bytes).length, 1, 'the pipelined request is not answered');
    assert.equal(r.closed, true);
    ctx.server.flushLog();
    assert.match(
      ctx.log.slice(before).join('\n'),
      /Exception in GET handler: HeadersSentError: sendHeader\(\) after endHeaders\(\)/,
    );
  });

  it('a body longer or shorter than its Content-Length: one log line each, and the connection closes', async () => {
    const before = ctx.log.length;
    const over = await exchangeRaw(ctx.port, GET('/overrun') + GET('/next'));
    assert.match(over.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/, 'the head, and nothing of the body');
    assert.equal(over.closed, true);
    const short = await exchangeRaw(ctx.port, GET('/short') + GET('/next'));
    assert.match(short.text, /\r\n\r\nsix b\.$/);
    assert.equal(short.closed, true);
    ctx.server.flushLog();
    const lines = ctx.log.slice(before).join('\n');
    assert.match(lines, /GET handler: response body exceeds its Content-Length by 1 bytes/);
    assert.match(lines, /GET handler: response body ended 4 bytes short of its Content-Length/);
  });

  it('a header value with CR/LF throws instead of splitting the response', async () => {
    const r = await exchangeRaw(ctx.port, GET('/split'), { responses: 1 });
    const list = parseResponses(r.bytes);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.status, 500);
    assert.doesNotMatch(r.text, /Set-Cookie/i);
    ctx.server.flushLog();
    assert.ok(ctx.log.some((l) => l.includes(HeaderValueError.name)));
  });

  it('logs like Python, escaping control characters from the request', async () => {
    await withServer(Hello, {}, async (s) => {
      await exchangeRaw(s.port, GET('/a%1b', 'Connection: close\r\n'));
      await exchangeRaw(s.port, 'GET /\x1b[31mred HTTP/1.1\r\nHost: t\r\n\r\n');
      s.server.flushLog();
      assert.match(s.log[0]!, LOG_LINE);
      assert.match(s.log[0]!, /"GET \/a%1b HTTP\/1\.1" 200 -$/);
      const refused = s.log.join('\n');
      assert.match(refused, /code 400, message Bad request syntax/);
      assert.match(refused, /"GET \/\\x1b\[31mred HTTP\/1\.1" 400 -/);
      // eslint-disable-next-line no-control-regex -- no raw ESC may reach the log
      assert.doesNotMatch(refused, /\x1b/);
    });
  });

  it('sends Server and Date headers, and honours protocolVersion HTTP/1.0', async () => {
    class Old extends Hello {
      override protocolVersion = 'HTTP/1.0';
    }
    await withServer(Old, {}, async (s) => {
      const r = await exchangeRaw(s.port, GET('/1') + GET('/2'));
      const list = parseResponses(r.bytes);
      assert.equal(list.length, 1, 'HTTP/1.0 handlers answer one request per connection');
      assert.equal(list[0]!.version, 'HTTP/1.0');
      assert.deepEqual(list[0]!.headers.get('server'), [
        `basehttp/${VERSION} Node.js/${process.versions.node}`,
      ]);
      assert.match(
        list[0]!.headers.get('date')![0]!,
        /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
      );
      assert.equal(r.closed, true);
    });
  });

  it('sendHeader("Connection", "close") sets closeConnection, as in Python', async () => {
    class Closer extends BaseHTTPRequestHandler {
      doGET(): void {
        this.sendResponse(200);
        this.sendHeader('Connection', 'close');
        this.sendHeader('Content-Length', 2);
        this.endHeaders();
        this.wfile.write('ok');
      }
    }
    await withServer(Closer, {}, async (s) => {
      const r = await exchangeRaw(s.port, GET('/') + GET('/'));
      assert.equal(parseResponses(r.bytes).length, 1);
      assert.equal((r.text.match(/Connection:/gi) ?? []).length, 1, 'no second Connection header');
      assert.equal(r.closed, true);
    });
  });

  it('closeConnection = true set after the head went out still closes the connection, as in Python', async () => {
    class LateCloser extends Hello {
      override doGET(): void {
        super.doGET();
        if (this.path === '/last') this.closeConnection = true;
      }
    }
    await withServer(LateCloser, {}, async (s) => {
      const r = await exchangeRaw(s.port, GET('/last') + GET('/never'));
      assert.deepEqual(
        parseResponses(r.bytes).map((x) => x.body.toString()),
        ['hello /last'],
      );
      assert.equal(r.closed, true);
      const open = await exchangeRaw(s.port, GET('/1') + GET('/2'));
      assert.equal(parseResponses(open.bytes).length, 2);
      assert.equal(open.closed, false);
    });
  });

  it('exposes request attributes: command, path, requestVersion, headers, clientAddress', async () => {
    let seen: unknown;
    class Inspect extends BaseHTTPRequestHandler {
      doGET(): void {
        seen = {
          command: this.command,
          path: this.path,
          requestVersion: this.requestVersion,
          requestline: this.requestline,
          multi: this.headers.getAll('x-multi'),
          host: this.clientAddress[0],
        };
        this.sendResponse(204);
        this.endHeaders();
      }
    }
    await withServer(Inspect, {}, async (s) => {
      await exchangeRaw(
        s.port,
        'GET http://example.com/p?q=1 HTTP/1.1\r\nHost: t\r\nX-Multi: a\r\nx-multi: b\r\n\r\n',
      );
      assert.deepEqual(seen, {
        command: 'GET',
        path: '/p?q=1',
        requestVersion: 'HTTP/1.1',
        requestline: 'GET http://example.com/p?q=1 HTTP/1.1',
        multi: ['a', 'b'],
        host: '127.0.0.1',
      });
    });
  });

  it('Transfer-Encoding: chunked sent by the handler: framed by the server, and dropped for HTTP/1.0', async () => {
    class Chunky extends BaseHTTPRequestHandler {
      doGET(): void {
        this.sendResponse(200);
        this.sendHeader('Transfer-Encoding', 'chunked');
        this.endHeaders();
        this.wfile.write('abc');
        this.wfile.write('defg');
      }
    }
    await withServer(Chunky, {}, async (s) => {
      const r11 = await exchangeRaw(s.port, GET('/'));
      assert.match(r11.text, /\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n$/);
      const r10 = await exchangeRaw(s.port, 'GET / HTTP/1.0\r\n\r\n');
      assert.doesNotMatch(r10.text, /Transfer-Encoding/i);
      assert.match(r10.text, /\r\n\r\nabcdefg$/);
      assert.equal(r10.closed, true, 'the body ends with the connection');
    });
  });

  it('a Content-Length the server cannot frame with (not digits, or with Transfer-Encoding) throws: 500', async () => {
    class BadFraming extends BaseHTTPRequestHandler {
      doGET(): void {
        this.sendResponse(200);
        if (this.path === '/both') {
          this.sendHeader('Content-Length', 3);
          this.sendHeader('Transfer-Encoding', 'chunked');
        } else if (this.path === '/both-reversed') {
          this.sendHeader('Transfer-Encoding', 'chunked');
          this.sendHeader('Content-Length', 3);
        } else {
          this.sendHeader('Content-Length', '-3');
        }
        this.endHeaders();
        this.wfile.write('abc');
      }
    }
    await withServer(BadFraming, {}, async (s) => {
      for (const path of ['/both', '/both-reversed', '/negative']) {
        const r = await exchangeRaw(s.port, GET(path));
        const list = parseResponses(r.bytes);
        assert.deepEqual(
          list.map((x) => x.status),
          [500],
          path,
        );
        assert.equal(list[0]!.headers.get('transfer-encoding'), undefined, path);
      }
      s.server.flushLog();
      assert.equal(s.log.filter((l) => l.includes(HeaderValueError.name)).length, 3);
    });
  });

  it('header bytes are ISO-8859-1 both ways: obs-text read as U+0080-U+00FF and written back as one byte', async () => {
    let seen = '';
    class Latin extends BaseHTTPRequestHandler {
      doGET(): void {
        seen = this.headers.get('X-In')!;
        this.sendResponse(204);
        this.sendHeader('X-Echo', seen);
        this.endHeaders();
      }
    }
    await withServer(Latin, {}, async (s) => {
      const r = await exchangeRaw(
        s.port,
        Buffer.concat([
          Buffer.from('GET / HTTP/1.1\r\nHost: t\r\nX-In: caf'),
          Buffer.from([0xe9, 0x80, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]),
        ]),
      );
      assert.equal(seen, 'caf\u00e9\u0080\u00ff');
      const at = r.bytes.indexOf('X-Echo: ');
      assert.deepEqual(
        [...r.bytes.subarray(at + 8, at + 16)],
        [0x63, 0x61, 0x66, 0xe9, 0x80, 0xff, 0x0d, 0x0a],
      );
    });
  });

  it('drops body bytes a handler writes for 204 and 304, keeping the connection in step', async () => {
    class NoBody extends BaseHTTPRequestHandler {
      doGET(): void {
        this.sendResponse(this.path === '/204' ? 204 : 304);
        this.endHeaders();
        this.wfile.write('must not be sent');
      }
    }
    await withServer(NoBody, {}, async (s) => {
      const r = await exchangeRaw(s.port, GET('/204') + GET('/304'));
      const list = parseResponses(r.bytes);
      assert.deepEqual(
        list.map((x) => x.status),
        [204, 304],
      );
      assert.doesNotMatch(r.text, /must not be sent/);
      assert.doesNotMatch(r.text, /Transfer-Encoding/i);
    });
  });

  it('an overridden sendHeader sees the Server and Date headers sendResponse adds, as in Python', async () => {
    const seen: string[] = [];
    class Recording extends Hello {
      override sendHeader(keyword: string, value: string | number): void {
        seen.push(keyword);
        super.sendHeader(keyword, value);
      }
    }
    await withServer(Recording, {}, async (s) => {
      await exchangeRaw(s.port, GET('/'));
      assert.deepEqual(seen, ['Server', 'Date', 'Content-Type', 'Content-Length']);
    });
  });

  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(VERSION, pkg.version);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer, SimpleHTTPRequestHandler } from '../../src/index.js';
import { HeadersSentError, ResponseOrderError } from '../../src/connection/response-errors.js';
import { ReadSizeError } from '../../src/server/errors.js';
import type { RequestBodyStream } from '../../src/connection/request-body.js';
import type { HandlerArgs } from '../../src/server/request-handler.js';
import { exchangeRaw, parseResponses, startServer, withServer } from '../helpers/server.js';
import { Hello } from './handlers.js';

const run = promisify(execFile);
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;
const dir = mkdtempSync(join(tmpdir(), 'basehttp-handler-api-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Answers a small JSON body. */
function answerJson(handler: BaseHTTPRequestHandler, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  handler.sendResponse(200);
  handler.sendHeader('Content-Type', 'application/json');
  handler.sendHeader('Content-Length', body.length);
  handler.endHeaders();
  handler.wfile.write(body);
}

describe('readBytes(n): Python’s rfile.read(n)', () => {
  /** Reads the body in pieces of 70 000 bytes and says how large each piece was, and the body's hash. */
  class Pieces extends BaseHTTPRequestHandler {
    async doPOST(): Promise<void> {
      const sizes: number[] = [];
      const hash = createHash('sha256');
      for (;;) {
        const piece = await this.readBytes(70_000);
        if (piece.length === 0) break;
        sizes.push(piece.length);
        hash.update(piece);
      }
      answerJson(this, { sizes, sha256: hash.digest('hex') });
    }

    /** A size read from a header the request lacks: NaN, refused loudly instead of reading nothing. */
    async doGET(): Promise<void> {
      await this.readBytes(Number(this.headers.get('content-length')));
      answerJson(this, 'unreachable');
    }
  }

  const body = randomBytes(200 * 1024);
  const file = join(dir, 'body.bin');
  writeFileSync(file, body);
  const expected = {
    sizes: [70_000, 70_000, 64_800],
    sha256: createHash('sha256').update(body).digest('hex'),
  };

  for (const [framing, extra] of [
    ['Content-Length', []],
    ['chunked', ['-H', 'Transfer-Encoding: chunked']],
  ] as const) {
    it(`a 200 KB body sent by curl (${framing}) comes in exact pieces, the last one short`, async () => {
      await withServer(Pieces, {}, async (s) => {
        const { stdout } = await run('curl', [
          '-sS',
          '--data-binary',
          `@${file}`,
          ...extra,
          `http://127.0.0.1:${s.port}/`,
        ]);
        assert.deepEqual(JSON.parse(stdout), expected);
      });
    });
  }

  it('a size that is no number of bytes is a ReadSizeError: 500 and a log line', async () => {
    await withServer(Pieces, {}, async (s) => {
      const [res] = parseResponses((await exchangeRaw(s.port, GET('/'), { responses: 1 })).bytes);
      assert.equal(res!.status, 500);
      s.server.flushLog();
      assert.ok(s.log.some((l) => l.includes(`Exception in GET handler: ${ReadSizeError.name}`)));
    });
  });

  it("rfile.read(n) is typed Buffer | null, so strict code must face Node's null", () => {
    type IsAny<T> = 0 extends 1 & T ? true : false;
    const readIsAny: IsAny<ReturnType<RequestBodyStream['read']>> = false;
    assert.equal(readIsAny, false);
  });
});

describe('handler API misuse', () => {
  for (const call of ['write', 'end'] as const) {
    it(`wfile.${call}() before endHeaders() throws to the handler: 500 and a log line`, async () => {
      class Early extends BaseHTTPRequestHandler {
        doGET(): void {
          this.sendResponse(200);
          this.sendHeader('Content-Type', 'text/plain');
          this.wfile[call]('too early');
          this.endHeaders();
        }
      }
      await withServer(Early, {}, async (s) => {
        const [res] = parseResponses((await exchangeRaw(s.port, GET('/'), { responses: 1 })).bytes);
        assert.equal(res!.status, 500);
        s.server.flushLog();
        assert.ok(
          s.log.some((l) => /Exception in GET handler: [^\n]*before the head/.test(l)),
          s.log.join('\n'),
        );
      });
    });
  }

  it('calls out of order throw named errors with stable codes', async () => {
    class OutOfOrder extends BaseHTTPRequestHandler {
      doGET(): void {
        const caught: unknown[] = [];
        try {
          this.endHeaders();
        } catch (err) {
          caught.push(err);
        }
        this.sendResponse(200);
        this.endHeaders();
        try {
          this.sendHeader('X-Late', '1');
        } catch (err) {
          caught.push(err);
        }
        try {
          this.sendResponseOnly(200);
        } catch (err) {
          caught.push(err);
        }
        const [notStarted, lateHeader, lateStatus] = caught;
        this.wfile.end(
          JSON.stringify([
            notStarted instanceof ResponseOrderError,
            lateHeader instanceof HeadersSentError,
            lateStatus instanceof HeadersSentError,
            ...caught.map((err) => `${(err as Error).name} ${(err as { code: string }).code}`),
          ]),
        );
      }
    }
    await withServer(OutOfOrder, {}, async (s) => {
      const [res] = parseResponses((await exchangeRaw(s.port, GET('/'), { responses: 1 })).bytes);
      assert.deepEqual(JSON.parse(res!.body.toString()), [
        true,
        true,
        true,
        'ResponseOrderError BH_ERR_RESPONSE_ORDER',
        'HeadersSentError BH_ERR_HEADERS_SENT',
        'HeadersSentError BH_ERR_HEADERS_SENT',
      ]);
    });
  });

  it('a subclass with its own constructor needs only HandlerArgs', async () => {
    class Greeter extends BaseHTTPRequestHandler {
      private readonly greeting: string;

      constructor(...args: HandlerArgs) {
        super(...args);
        this.greeting = `hello ${this.clientAddress[0]} on ${this.path}`;
      }

      doGET(): void {
        answerJson(this, this.greeting);
      }
    }
    await withServer(Greeter, {}, async (s) => {
      const [res] = parseResponses((await exchangeRaw(s.port, GET('/x'), { responses: 1 })).bytes);
      assert.equal(JSON.parse(res!.body.toString()), 'hello 127.0.0.1 on /x');
    });
  });
});

describe('HTTPServer.start()', () => {
  it('binds and serves in the background: listen, request, shutdown, with nothing else called', async () => {
    const server = new HTTPServer({ host: '127.0.0.1', port: 0 }, Hello, { logStream: null });
    await server.start();
    try {
      const [res] = parseResponses(
        (await exchangeRaw(server.serverPort, GET('/started'), { responses: 1 })).bytes,
      );
      assert.equal(res!.status, 200);
      assert.equal(res!.body.toString(), 'hello /started');
    } finally {
      await server.shutdown(500);
    }
  });

  it('rejects with the bind error when the port is taken', async () => {
    const first = new HTTPServer({ host: '127.0.0.1', port: 0 }, Hello, { logStream: null });
    await first.start();
    const second = new HTTPServer({ host: '127.0.0.1', port: first.serverPort }, Hello, { logStream: null });
    try {
      await assert.rejects(second.start(), { code: 'EADDRINUSE' });
    } finally {
      await second.shutdown(0);
      await first.shutdown(0);
    }
  });
});

describe('the log colours a status only on a terminal', () => {
  writeFileSync(join(dir, 'page.txt'), 'page\n');
  const Static = SimpleHTTPRequestHandler.with({ directory: dir });

  /** The access log line for one request, written to a stream that is a terminal or not. */
  async function logLineOn(isTTY: boolean): Promise<string> {
    const lines: string[] = [];
    const logStream = {
      isTTY,
      write(text: string): boolean {
        lines.push(text);
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    const s = await startServer(Static, { logStream });
    try {
      await exchangeRaw(s.port, GET('/page.txt'), { responses: 1 });
      s.server.flushLog();
    } finally {
      await s.close();
    }
    return lines.join('');
  }

  it('a stream that is a TTY gets the colour codes', async () => {
    // eslint-disable-next-line no-control-regex -- the ANSI colour codes are what is checked
    assert.match(await logLineOn(true), /"GET \/page\.txt HTTP\/1\.1" \x1b\[32m200\x1b\[0m -/);
  });

  it('a pipe gets plain text', async () => {
    assert.match(await logLineOn(false), /"GET \/page\.txt HTTP\/1\.1" 200 -\n/);
  });
});

describe('access lines of a plain handler class: logFormat and quiet on the class', () => {
  class JsonLogged extends Hello {
    override logFormat = 'json' as const;
  }
  class Quiet extends Hello {
    override quiet = true;
  }

  it('logFormat json: one JSON access line once the response is done, no Python line', async () => {
    await withServer(JsonLogged, {}, async (s) => {
      await exchangeRaw(s.port, GET('/json-logged'), { responses: 1 });
      const lines = s.log.filter((l) => l.includes('/json-logged'));
      assert.equal(lines.length, 1, lines.join('\n'));
      const entry = JSON.parse(lines[0]!) as { status: number; method: string; path: string };
      assert.deepEqual([entry.method, entry.path, entry.status], ['GET', '/json-logged', 200]);
    });
  });

  it('quiet: no access line, errors still logged', async () => {
    await withServer(Quiet, {}, async (s) => {
      await exchangeRaw(s.port, [GET('/quiet'), 'BREW /x HTTP/1.1\r\nHost: t\r\n\r\n'], { responses: 2 });
      assert.deepEqual(
        s.log.filter((l) => l.includes('"GET /quiet')),
        [],
      );
      assert.ok(
        s.log.some((l) => l.includes('code 501')),
        s.log.join('\n'),
      );
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';

/** Answers with the status and header fields the query asks for, and writes a body when asked. */
class Framing extends BaseHTTPRequestHandler {
  doGET(): void {
    const query = new URLSearchParams(this.path.slice(this.path.indexOf('?') + 1));
    this.sendResponse(Number(query.get('status') ?? 200));
    for (const field of query.getAll('h')) {
      const colon = field.indexOf(':');
      this.sendHeader(field.slice(0, colon), field.slice(colon + 1).trim());
    }
    this.endHeaders();
    const body = query.get('body');
    if (body !== null) this.wfile.write(body);
  }
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

describe('one copy of each framing rule, over a real socket', () => {
  const ctx = serverForSuite(Framing);

  it('205 Reset Content goes out with Content-Length: 0, never chunked, and the connection stays open', async () => {
    const r = await exchangeRaw(ctx.port, GET('/?status=205&body=dropped') + GET('/?status=200&body=next'), {
      responses: 2,
    });
    const [reset, next] = parseResponses(r.bytes);
    assert.equal(reset!.status, 205);
    assert.deepEqual(reset!.headers.get('content-length'), ['0']);
    assert.equal(reset!.headers.get('transfer-encoding'), undefined);
    assert.equal(reset!.body.length, 0);
    assert.equal(next!.status, 200);
    assert.equal(next!.body.toString(), 'next');
    assert.doesNotMatch(r.text, /dropped/);
  });

  it('205 with a Content-Length other than 0 is the handler’s error: 500 and a log line', async () => {
    const r = await exchangeRaw(ctx.port, GET('/?status=205&h=Content-Length:5'), { responses: 1 });
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.status, 500);
    assert.ok(ctx.log.some((l) => /205 Reset Content response carries no content/.test(l)));
  });

  it('a handler’s Connection field is read as tokens: "Upgrade, close" closes, "x-close-later" does not', async () => {
    const closes = await exchangeRaw(ctx.port, GET('/?h=Connection:Upgrade,%20close&body=a') + GET('/'));
    assert.equal(parseResponses(closes.bytes).length, 1);
    assert.equal(closes.closed, true);
    const stays = await exchangeRaw(ctx.port, GET('/?h=Connection:x-close-later&body=a') + GET('/?body=b'), {
      responses: 2,
    });
    assert.equal(parseResponses(stays.bytes).length, 2);
  });

  it('an HTTP/1.0 request with "keep-alive, close" or "close, keep-alive" is not kept alive', async () => {
    for (const value of ['keep-alive, close', 'close, keep-alive']) {
      const request = `GET /?h=Content-Length:1&body=a HTTP/1.0\r\nConnection: ${value}\r\n\r\n`;
      const r = await exchangeRaw(ctx.port, request + request);
      assert.equal(parseResponses(r.bytes).length, 1, value);
      assert.equal(r.closed, true, value);
    }
  });
});

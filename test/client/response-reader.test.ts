/** The protocol layer's response role, byte for byte: what the client's framing and persistence rest on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_END, ResponseReader, type ResponseHead } from '../../src/index.js';
import { ParseError } from '../../src/protocol/errors.js';

/** Parses one response to `method` from `text`, pushed in one piece or `step` bytes at a time. */
function read(text: string, method = 'GET', step = 0): { head: ResponseHead; body: string } {
  const reader = new ResponseReader();
  reader.expect(method);
  const bytes = Buffer.from(text, 'latin1');
  let head: ResponseHead | null = null;
  const pieces: Buffer[] = [];
  let done = false;
  for (let at = 0; !done;) {
    const next = step === 0 ? bytes.length : Math.min(bytes.length, at + step);
    if (next > at) reader.push(bytes.subarray(at, next));
    else reader.endInput();
    at = next;
    if (head === null) head = reader.readHead();
    if (head === null) continue;
    for (let piece = reader.readBody(); piece !== null; piece = reader.readBody()) {
      if (piece === BODY_END) {
        done = true;
        break;
      }
      pieces.push(Buffer.from(piece));
    }
  }
  return { head: head!, body: Buffer.concat(pieces).toString('latin1') };
}

describe('ResponseReader', () => {
  it('reads status lines: version, status, reason (possibly empty or absent)', () => {
    for (const [line, minor, status, reason] of [
      ['HTTP/1.1 200 OK', 1, 200, 'OK'],
      ['HTTP/1.0 404 Not Found', 0, 404, 'Not Found'],
      ['HTTP/1.1 200 ', 1, 200, ''],
      ['HTTP/1.1 299', 1, 299, ''],
      ['HTTP/1.1 500 caf\xe9 \t!', 1, 500, 'caf\xe9 \t!'],
    ] as const) {
      const { head } = read(`${line}\r\nContent-Length: 0\r\n\r\n`);
      assert.deepEqual(
        [head.versionMinor, head.version, head.status, head.reason],
        [minor, `HTTP/1.${minor}`, status, reason],
        line,
      );
    }
  });

  it('refuses what is not an HTTP/1.x status line', () => {
    for (const line of [
      'HTTP/2 200 OK',
      'HTTP/1.1 20 OK',
      'HTTP/1.1 2000 OK',
      'http/1.1 200 OK',
      'HTTP/1.1  200 OK',
      'HTTP/1.x 200 OK',
      'ICY 200 OK',
    ]) {
      assert.throws(() => read(`${line}\r\n\r\n`), /Bad status line/, line);
    }
  });

  it('frames by Content-Length, equal repeats included; refuses anything else', () => {
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef').body, 'abc');
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc').body, 'abc');
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc').body, 'abc');
    for (const value of ['3, 4', '+3', '-1', '0x3', '1e3', '3 3', '', '99999999999999999999']) {
      assert.throws(
        () => read(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nabc`),
        (err: Error) => err instanceof ParseError && /Invalid Content-Length/.test(err.message),
        value,
      );
    }
    assert.throws(
      () => read('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'),
      /Invalid Content-Length/,
    );
  });

  it('chunked wins over Content-Length; another final coding reads until close', () => {
    const chunked = read(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n',
    );
    assert.deepEqual([chunked.head.framing.kind, chunked.body], ['chunked', 'ab']);
    const gzip = read('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nuntil close');
    assert.deepEqual(
      [gzip.head.framing.kind, gzip.body, gzip.head.keepAlive],
      ['close', 'until close', false],
    );
  });

  it('no body for HEAD, 1xx, 204 and 304', () => {
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD').head.framing.kind, 'none');
    for (const status of ['100 Continue', '204 No Content', '304 Not Modified']) {
      const { head } = read(`HTTP/1.1 ${status}\r\nContent-Length: 5\r\n\r\n`);
      assert.equal(head.framing.kind, 'none', status);
    }
  });

  it('knows when the connection may carry another request', () => {
    const keep = (text: string): boolean => read(`${text}\r\nContent-Length: 0\r\n\r\n`).head.keepAlive;
    assert.equal(keep('HTTP/1.1 200 OK'), true);
    assert.equal(keep('HTTP/1.1 200 OK\r\nConnection: close'), false);
    assert.equal(keep('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close'), false);
    assert.equal(keep('HTTP/1.0 200 OK'), false);
    assert.equal(keep('HTTP/1.0 200 OK\r\nConnection: keep-alive'), true);
    assert.equal(read('HTTP/1.1 200 OK\r\n\r\nno length').head.keepAlive, false);
  });

  it('gives the same result whatever the bytes are split into', () => {
    const text =
      'HTTP/1.1 200 OK\r\nServer: test\r\nTransfer-Encoding: chunked\r\nX-Folded: a\r\n b\r\n\r\n' +
      '5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n';
    const whole = read(text);
    for (const step of [1, 2, 7]) {
      const split = read(text, 'GET', step);
      assert.equal(split.body, whole.body);
      assert.deepEqual([...split.head.headers], [...whole.head.headers]);
    }
    assert.equal(whole.body, 'hello!');
    assert.equal(whole.head.headers.get('x-folded'), 'a b');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_END, RequestReader, type RequestHead } from '../../src/index.js';
import { ParseError } from '../../src/protocol/errors.js';
import { statusForParseError } from '../../src/connection/status-error.js';

interface Parsed {
  head: RequestHead;
  body: string;
  trailers: Array<[string, string]>;
}

/** Feeds `input` in pieces of `step` bytes (0 = all at once) and reads every message out of it. */
function parse(input: string, step = 0, limits?: ConstructorParameters<typeof RequestReader>[0]): Parsed[] {
  const reader = new RequestReader(limits);
  const bytes = Buffer.from(input, 'latin1');
  const out: Parsed[] = [];
  let current: Parsed | null = null;
  const pieces: Buffer[] = [];
  if (step === 0) pieces.push(bytes);
  else for (let i = 0; i < bytes.length; i += step) pieces.push(bytes.subarray(i, i + step));
  const pump = (): void => {
    for (;;) {
      if (current === null) {
        const head = reader.readHead();
        if (head === null) return;
        current = { head, body: '', trailers: [] };
      }
      const piece = reader.readBody();
      if (piece === null) return;
      if (piece === BODY_END) {
        current.trailers = reader.trailers ? [...reader.trailers] : [];
        out.push(current);
        current = null;
        continue;
      }
      current.body += piece.toString('latin1');
    }
  };
  for (const piece of pieces) {
    reader.push(Buffer.from(piece)); // a copy, as the socket gives fresh buffers
    pump();
  }
  if (current !== null) throw new Error('message incomplete');
  return out;
}

const VALID = 'POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc';

/**
 * The status a refused input gets: fed whole, a byte at a time, in 7-byte pieces, and pipelined behind a
 * valid request (which must still come out whole first). Every mode must agree.
 */
function refusal(input: string, limits?: ConstructorParameters<typeof RequestReader>[0]): number {
  const modes: Array<[string, number]> = [
    [input, 0],
    [input, 1],
    [input, 7],
    [VALID + input, 0],
    [VALID + input, 1],
  ];
  const statuses = modes.map(([text, step]) => {
    const reader = new RequestReader(limits);
    try {
      parse(text, step, limits);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      if (text !== input) {
        // The valid request ahead of the bad one parses fully before the error.
        reader.push(Buffer.from(VALID));
        assert.equal(reader.readHead()?.path, '/first');
        assert.equal(String(reader.readBody()), 'abc');
      }
      return statusForParseError(err.kind);
    }
    return 0;
  });
  assert.equal(new Set(statuses).size, 1, `feeding modes disagree: ${statuses.join(', ')}`);
  return statuses[0]!;
}

/** Parses whole, byte by byte, in 3-byte pieces and as two pipelined copies; all must agree. */
function accept(input: string): Parsed {
  const whole = parse(input);
  assert.equal(whole.length, 1);
  for (const step of [1, 3]) assert.deepEqual(summary(parse(input, step)), summary(whole));
  const twice = parse(input + input);
  assert.deepEqual(summary(twice), summary([...whole, ...whole]));
  return whole[0]!;
}

function summary(list: Parsed[]): unknown {
  return list.map((p) => ({
    method: p.head.method,
    path: p.head.path,
    version: p.head.version,
    headers: [...p.head.headers],
    body: p.body,
    trailers: p.trailers,
    keepAlive: p.head.keepAlive,
  }));
}

describe('RequestReader: accepted requests', () => {
  it('parses a simple GET with ordered, case-insensitive, repeated fields', () => {
    const p = accept('GET /a?b=1 HTTP/1.1\r\nHost: x\r\nAccept: a\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n');
    assert.equal(p.head.method, 'GET');
    assert.equal(p.head.path, '/a?b=1');
    assert.equal(p.head.version, 'HTTP/1.1');
    assert.equal(p.head.headers.get('HOST'), 'x');
    assert.deepEqual(p.head.headers.getAll('X-MULTI'), ['1', '2']);
    assert.deepEqual(p.head.headers.keysInOrder(), ['Host', 'Accept', 'X-Multi', 'x-multi']);
    assert.equal(p.head.keepAlive, true);
    assert.equal(p.body, '');
  });

  it('decodes header bytes as ISO-8859-1, never UTF-8', () => {
    const p = accept('GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9 \xc3\xa9\r\n\r\n');
    assert.equal(p.head.headers.get('x-name'), 'caf\u00e9 \u00c3\u00a9');
  });

  it('trims optional whitespace around field values', () => {
    const p = accept('GET / HTTP/1.1\r\nHost:   x \t\r\nEmpty:\r\n\r\n');
    assert.equal(p.head.headers.get('host'), 'x');
    assert.equal(p.head.headers.get('empty'), '');
  });

  it('reads a Content-Length body', () => {
    const p = accept('POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world');
    assert.equal(p.body, 'hello world');
  });

  it('accepts repeated identical Content-Length values, listed or repeated', () => {
    assert.equal(accept('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc').body, 'abc');
    assert.equal(
      accept('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc').body,
      'abc',
    );
  });

  it('reads a chunked body with extensions and trailer fields', () => {
    const p = accept(
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n6 ; q="x"\r\n world\r\nA\r\n0123456789\r\n0\r\nChecksum: abc\r\nX-T: 1\r\n\r\n',
    );
    assert.equal(p.body, 'hello world0123456789');
    assert.deepEqual(p.trailers, [
      ['Checksum', 'abc'],
      ['X-T', '1'],
    ]);
  });

  it('accepts Transfer-Encoding in any case and split across fields when chunked is last', () => {
    const p = accept('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\na\r\n0\r\n\r\n');
    assert.equal(p.body, 'a');
  });

  it('ignores empty lines before a request line', () => {
    const list = parse('\r\n\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(list.length, 1);
    assert.equal(parse('\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n', 1).length, 1);
  });

  it('accepts bare LF line ends in the head', () => {
    const p = accept('GET /lf HTTP/1.1\nHost: x\nA: b\n\n');
    assert.equal(p.head.path, '/lf');
    assert.equal(p.head.headers.get('a'), 'b');
  });

  it('reduces absolute-form to the path and keeps the query', () => {
    assert.equal(
      accept('GET http://example.com:8080/p/q?x=1 HTTP/1.1\r\nHost: e\r\n\r\n').head.path,
      '/p/q?x=1',
    );
    assert.equal(accept('GET http://example.com HTTP/1.1\r\nHost: e\r\n\r\n').head.path, '/');
    assert.equal(accept('GET http://example.com?x HTTP/1.1\r\nHost: e\r\n\r\n').head.path, '/?x');
  });

  it('takes the host of an absolute-form target over the Host field (RFC 9112 §3.2.2)', () => {
    const p = accept('GET http://other.example:81/p HTTP/1.1\r\nX: 1\r\nHost: e\r\n\r\n');
    assert.deepEqual(
      [...p.head.headers],
      [
        ['X', '1'],
        ['Host', 'other.example:81'],
      ],
    );
    assert.equal(p.head.requestLine, 'GET http://other.example:81/p HTTP/1.1', 'the log shows what was sent');
    const old = accept('GET http://[::1]/ HTTP/1.0\r\n\r\n');
    assert.equal(old.head.headers.get('host'), '[::1]', 'HTTP/1.0 needs no Host field: it is added');
  });

  it('accepts OPTIONS *', () => {
    assert.equal(accept('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n').head.path, '*');
  });

  it('accepts HTTP/1.0 without Host, closing by default, keep-alive on request', () => {
    assert.equal(accept('GET / HTTP/1.0\r\n\r\n').head.keepAlive, false);
    assert.equal(accept('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').head.keepAlive, true);
    assert.equal(accept('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').head.keepAlive, false);
  });

  it('flags Expect: 100-continue, and ignores Expect in HTTP/1.0', () => {
    assert.equal(
      accept('GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n\r\n').head.expectContinue,
      true,
    );
    assert.equal(accept('GET / HTTP/1.0\r\nExpect: whatever\r\n\r\n').head.expectContinue, false);
    // A list: empty members are ignored, so an empty field expects nothing.
    assert.equal(
      accept('GET / HTTP/1.1\r\nHost: x\r\nExpect: , 100-continue,\r\n\r\n').head.expectContinue,
      true,
    );
    assert.equal(accept('GET / HTTP/1.1\r\nHost: x\r\nExpect:\r\n\r\n').head.expectContinue, false);
  });

  it('keeps methods case-sensitive and accepts extension methods', () => {
    assert.equal(accept('SPAM / HTTP/1.1\r\nHost: x\r\n\r\n').head.method, 'SPAM');
    assert.equal(accept('get / HTTP/1.1\r\nHost: x\r\n\r\n').head.method, 'get');
  });

  it('handles pipelined requests with bodies in one chunk', () => {
    const input =
      'POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab' +
      'POST /2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\ncd\r\n0\r\n\r\n' +
      'GET /3 HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const step of [0, 1, 2, 5]) {
      const list = parse(input, step);
      assert.deepEqual(
        list.map((p) => [p.head.path, p.body]),
        [
          ['/1', 'ab'],
          ['/2', 'cd'],
          ['/3', ''],
        ],
      );
    }
  });

  it('accepts a chunk size up to 2^53 - 1', () => {
    const reader = new RequestReader();
    reader.push(
      Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFF\r\nab'),
    );
    reader.readHead();
    assert.equal(String(reader.readBody()), 'ab');
  });
});

describe('RequestReader: refused requests', () => {
  const cases: Array<[string, string, number]> = [
    ['no version', 'GET /\r\nHost: x\r\n\r\n', 400],
    ['no target', 'GET HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['double space', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['trailing space', 'GET / HTTP/1.1 \r\nHost: x\r\n\r\n', 400],
    ['bad method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['lowercase version', 'GET / http/1.1\r\nHost: x\r\n\r\n', 400],
    ['malformed version', 'GET / HTTP/1.1.1\r\nHost: x\r\n\r\n', 400],
    ['version without minor', 'GET / HTTP/1\r\nHost: x\r\n\r\n', 400],
    ['version letters', 'GET / HTTP/x.y\r\nHost: x\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
    ['HTTP/3.0', 'GET / HTTP/3.0\r\nHost: x\r\n\r\n', 505],
    ['control byte in target', 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['raw non-ASCII in target', 'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['relative target', 'GET a/b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['asterisk with GET', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['userinfo in absolute-form', 'GET http://user:pw@x/ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['empty host in absolute-form', 'GET http:///p HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['port alone in absolute-form', 'GET http://:80/p HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['missing Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['two Host fields in HTTP/1.0', 'GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n', 400],
    ['bad Host value', 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['tab before colon', 'GET / HTTP/1.1\r\nHost\t: x\r\n\r\n', 400],
    ['empty field name', 'GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n', 400],
    ['no colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n', 400],
    ['bad name character', 'GET / HTTP/1.1\r\nHost: x\r\nBad(Name): v\r\n\r\n', 400],
    ['NUL in value', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\x00c\r\n\r\n', 400],
    ['bare CR in value', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n', 400],
    ['other control in value', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\x1bc\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n  c\r\n\r\n', 400],
    ['whitespace before first field', 'GET / HTTP/1.1\r\n Host: x\r\n\r\n', 400],
    [
      'CL and TE',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
    ],
    [
      'differing CL values',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n',
      400,
    ],
    ['differing CL list', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n', 400],
    ['signed CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n', 400],
    ['negative CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n', 400],
    ['space inside CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n', 400],
    ['empty CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n', 400],
    ['hex CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n', 400],
    ['huge CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n', 400],
    [
      'TE not ending in chunked',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      400,
    ],
    ['TE gzip alone', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', 400],
    ['TE chunked twice', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n', 400],
    ['TE empty', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n', 400],
    ['unknown coding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo, chunked\r\n\r\n', 501],
    ['gzip coding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 501],
    ['TE in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['non-hex chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ['empty chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', 400],
    ['signed chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n', 400],
    [
      'chunk size overflow',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20000000000000\r\n',
      400,
    ],
    [
      'chunk size 2^64',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n',
      400,
    ],
    [
      'missing CRLF after data',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n',
      400,
    ],
    [
      'bare LF after chunk size',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n',
      400,
    ],
    [
      'control in chunk ext',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;a\x00\r\nab\r\n0\r\n\r\n',
      400,
    ],
    ['Expect other than 100-continue', 'GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n', 417],
    ['Expect 100-continue and more', 'GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, x\r\n\r\n', 417],
  ];
  for (const [name, input, status] of cases) {
    it(`${name} → ${status}`, () => assert.equal(refusal(input), status));
  }

  it('request line over the limit → 414, even before it ends', () => {
    const long = `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    assert.equal(refusal(long), 414);
    assert.equal(refusal(`GET /${'a'.repeat(9000)}`), 414);
    assert.equal(
      refusal(`GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: x\r\n\r\n`, { ...limits(), maxStartLineBytes: 50 }),
      414,
    );
  });

  it('header section over 64 KiB → 431, even before it ends', () => {
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`;
    assert.equal(refusal(big), 431);
    assert.equal(refusal(`GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(70_000)}`), 431);
  });

  it('more than 100 fields → 431; the limit is configurable', () => {
    const fields = Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('');
    assert.equal(refusal(`GET / HTTP/1.1\r\nHost: x\r\n${fields}\r\n`), 431);
    assert.equal(
      refusal('GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n', { ...limits(), maxHeaderCount: 2 }),
      431,
    );
  });

  it('the request line limit counts its content only: 8192 bytes pass, 8193 get 414, with CRLF or LF', () => {
    const line = (n: number): string => `GET /${'a'.repeat(n - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
    assert.equal(line(8192).length, 8192);
    for (const eol of ['\r\n', '\n']) {
      assert.equal(accept(`${line(8192)}${eol}Host: x${eol}${eol}`).head.target.length, 8192 - 13);
      assert.equal(refusal(`${line(8193)}${eol}Host: x${eol}${eol}`), 414);
    }
    // Cut off before its line end, a line of the limit plus a CR is still waiting; one byte more is refused.
    const reader = new RequestReader();
    reader.push(Buffer.from(`${line(8192)}\r`));
    assert.equal(reader.readHead(), null);
    assert.equal(refusal(`${line(8193)}\r`), 414);
  });

  it('the header section limit counts field lines, not the blank line: 65536 bytes pass, 65537 get 431', () => {
    // "Host: x" plus a filler field, `n` bytes of field lines in all with their line ends.
    const head = (n: number, eol: string): string =>
      `GET / HTTP/1.1${eol}Host: x${eol}X: ${'a'.repeat(n - 7 - 3 - 2 * eol.length)}${eol}${eol}`;
    for (const eol of ['\r\n', '\n']) {
      assert.equal(accept(head(65536, eol)).head.headers.get('x')!.length, 65536 - 10 - 2 * eol.length);
      assert.equal(refusal(head(65537, eol)), 431);
    }
  });

  it('100 fields pass, 101 get 431', () => {
    const fields = (n: number): string => Array.from({ length: n - 1 }, (_, i) => `X-${i}: v\r\n`).join('');
    assert.equal(accept(`GET / HTTP/1.1\r\nHost: x\r\n${fields(100)}\r\n`).head.headers.size, 100);
    assert.equal(refusal(`GET / HTTP/1.1\r\nHost: x\r\n${fields(101)}\r\n`), 431);
  });

  it('a bad request line is refused as soon as it ends, without waiting for the header section', () => {
    for (const [line, status] of [
      ['GET /', 400], // HTTP/0.9: no version
      ['GET / HTTP/2.0', 505],
      ['G@T / HTTP/1.1', 400],
    ] as const) {
      const reader = new RequestReader();
      reader.push(Buffer.from(`${line}\r\n`));
      assert.throws(
        () => reader.readHead(),
        (err) => err instanceof ParseError && statusForParseError(err.kind) === status,
        line,
      );
    }
  });

  it('a chunked body cut off by end of input is an error, not a short body', () => {
    const reader = new RequestReader();
    reader.push(Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'));
    reader.readHead();
    assert.equal(String(reader.readBody()), 'ab');
    reader.endInput();
    assert.throws(() => reader.readBody(), ParseError);
  });

  it('a head that arrives a byte at a time does not cost quadratic copying', () => {
    // 60 KiB of header fed one byte at a time: must finish quickly (linear); a quadratic copy would take
    // tens of seconds. No time is asserted: the test simply has to finish under the runner's timeout.
    const input = `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(60_000)}\r\n\r\n`;
    assert.equal(parse(input, 1).length, 1);
  });
});

function limits(): { maxStartLineBytes: number; maxHeaderBytes: number; maxHeaderCount: number } {
  return { maxStartLineBytes: 8192, maxHeaderBytes: 65536, maxHeaderCount: 100 };
}

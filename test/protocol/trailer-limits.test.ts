/**
 * Trailer sections cost linear work and meet the head's limits as they arrive (issue 16, finding 1): a
 * reader that rescanned the section on every byte, and counted its fields only after the blank line, spent
 * quadratic CPU on 10,000 short trailer lines that fit under the 64 KiB limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BODY_END,
  DEFAULT_HEAD_LIMITS,
  ParseError,
  RequestReader,
  ResponseReader,
} from '../../src/protocol/index.js';

const LINES = 10_000;
const REQUEST_HEAD = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n';
const RESPONSE_HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n';
const TRAILER_LINE = 'X: y\r\n';

type Reader = RequestReader | ResponseReader;

/**
 * Feeds `head`, then `lines` trailer lines and the blank line a byte at a time, reading after each byte.
 * Returns how many trailer lines had been fed when the reader refused them (null if it never did) and
 * how many bytes its `indexOf` scans looked at, counted by wrapping Buffer.prototype.indexOf.
 */
function feedTrailers(
  reader: Reader,
  head: string,
  lines: number,
): { refusedAtLine: number | null; error: ParseError | null; scanned: number } {
  reader.push(Buffer.from(head, 'latin1'));
  assert.notEqual(reader.readHead(), null);
  const line = Buffer.from(TRAILER_LINE, 'latin1');
  return countScans(() => {
    for (let n = 0; n <= lines; n++) {
      const bytes = n < lines ? line : Buffer.from('\r\n');
      for (let i = 0; i < bytes.length; i++) {
        reader.push(bytes.subarray(i, i + 1));
        try {
          if (reader.readBody() === BODY_END) return { refusedAtLine: null, error: null };
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
          return { refusedAtLine: n, error: err };
        }
      }
    }
    return { refusedAtLine: null, error: null };
  });
}

/** Runs `fn` and adds how many bytes `Buffer.prototype.indexOf` looked at meanwhile (the readers' scans). */
function countScans<T>(fn: () => T): T & { scanned: number } {
  // Node's types give Buffer.prototype as `any`; this is the one place a test replaces a built-in method.
  const proto = Buffer.prototype as Buffer;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the buffer as `this`
  const original = proto.indexOf;
  let scanned = 0;
  proto.indexOf = function (this: Buffer, value: never, from?: never, enc?: never): number {
    const found = Reflect.apply(original, this, [value, from, enc]) as number;
    const start = typeof from === 'number' ? from : 0;
    scanned += (found < 0 ? this.length : found + 1) - start;
    return found;
  } as typeof original;
  try {
    return { ...fn(), scanned };
  } finally {
    proto.indexOf = original;
  }
}

describe('trailer sections', () => {
  for (const [role, make, head] of [
    ['request', (limits = DEFAULT_HEAD_LIMITS) => new RequestReader(limits), REQUEST_HEAD],
    ['response', (limits = DEFAULT_HEAD_LIMITS) => new ResponseReader(limits), RESPONSE_HEAD],
  ] as const) {
    it(`${role}: refuses the field past the count limit as it arrives, not after the blank line`, () => {
      const { refusedAtLine, error } = feedTrailers(make(), head, LINES);
      assert.equal(error?.kind, 'too-many-fields');
      assert.equal(refusedAtLine, DEFAULT_HEAD_LIMITS.maxHeaderCount, 'the first line past the limit');
    });

    it(`${role}: scans ${LINES} trailer lines sent a byte at a time in linear work`, () => {
      const limits = { ...DEFAULT_HEAD_LIMITS, maxHeaderCount: 2 * LINES, maxHeaderBytes: 1 << 20 };
      const { error, scanned } = feedTrailers(make(limits), head, LINES);
      assert.equal(error, null);
      const total = LINES * TRAILER_LINE.length + 2;
      // Each byte is looked at a bounded number of times; a rescan from the start would be ~total²/2.
      assert.ok(scanned < 4 * total, `scanned ${scanned} bytes for ${total} bytes of trailers`);
    });

    it(`${role}: refuses one over-long trailer line before its end arrives`, () => {
      const limits = { ...DEFAULT_HEAD_LIMITS, maxHeaderBytes: 1024 };
      const reader = make(limits);
      reader.push(Buffer.from(head, 'latin1'));
      reader.readHead();
      reader.push(Buffer.from(`X-Long: ${'a'.repeat(1000)}`));
      assert.equal(reader.readBody(), null);
      reader.push(Buffer.from('a'.repeat(100)));
      assert.throws(() => reader.readBody(), { name: 'ParseError', kind: 'fields-too-large' });
    });

    it(`${role}: refuses a trailer section over the size limit that arrives whole`, () => {
      const limits = { ...DEFAULT_HEAD_LIMITS, maxHeaderBytes: 1024 };
      const reader = make(limits);
      reader.push(Buffer.from(`${head}X-Long: ${'a'.repeat(2000)}\r\n\r\n`, 'latin1'));
      reader.readHead();
      assert.throws(() => reader.readBody(), { name: 'ParseError', kind: 'fields-too-large' });
    });

    it(`${role}: refuses a trailer field name with a byte no token has before the line ends`, () => {
      const reader = make();
      reader.push(Buffer.from(`${head}X-Ok: 1\r\nBad\u0001`, 'latin1'));
      reader.readHead();
      assert.throws(() => reader.readBody(), { name: 'ParseError', kind: 'bad-field' });
    });
  }

  it('a head of short field lines sent a byte at a time costs linear work too', () => {
    const limits = { ...DEFAULT_HEAD_LIMITS, maxHeaderCount: 2 * LINES, maxHeaderBytes: 1 << 20 };
    const reader = new RequestReader(limits);
    const input = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\n${TRAILER_LINE.repeat(LINES)}\r\n`, 'latin1');
    const { head, scanned } = countScans(() => {
      let head = null;
      for (let i = 0; i < input.length && head === null; i++) {
        reader.push(input.subarray(i, i + 1));
        head = reader.readHead();
      }
      return { head };
    });
    assert.equal(head?.headers.size, LINES + 1);
    assert.ok(scanned < 4 * input.length, `scanned ${scanned} bytes for a head of ${input.length}`);
  });

  it('still reads trailers split anywhere, and a bare-LF trailer line is refused', () => {
    const input = `${REQUEST_HEAD}A: 1\r\nB-Two: 2\r\n\r\n`;
    for (let step = 1; step <= 4; step++) {
      const reader = new RequestReader();
      let headRead = false;
      let piece: ReturnType<RequestReader['readBody']> = null;
      for (let i = 0; i < input.length; i += step) {
        reader.push(Buffer.from(input.slice(i, i + step), 'latin1'));
        headRead ||= reader.readHead() !== null;
        if (headRead) piece = reader.readBody();
      }
      assert.equal(piece, BODY_END, `step ${step}`);
      assert.deepEqual(
        [...reader.trailers!],
        [
          ['A', '1'],
          ['B-Two', '2'],
        ],
      );
    }
    const bare = new RequestReader();
    bare.push(Buffer.from(`${REQUEST_HEAD}A: 1\nB: 2\r\n\r\n`, 'latin1'));
    bare.readHead();
    assert.throws(() => bare.readBody(), { kind: 'bad-field' });
  });
});

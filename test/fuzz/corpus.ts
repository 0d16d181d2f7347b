/**
 * A seeded generator and mutator of HTTP/1.1 byte streams, and the checks every case must pass: the fuzzing
 * classes of issue 16, kept as regression tests (`fuzz.test.ts`) and for longer runs (`npm run fuzz`). Same
 * seed, same cases: a failure prints its seed, and that seed replays it.
 */
import assert from 'node:assert/strict';
import { statusForParseError } from '../../src/connection/status-error.js';
import { BODY_END, ParseError, RequestReader, ResponseReader } from '../../src/protocol/index.js';

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH'];
const TARGETS = ['/', '/a', '/a/b?c=d', '/%20x', 'http://h/x', '*', '/long' + 'x'.repeat(300)];
const NAMES = ['Host', 'Accept', 'X-A', 'Cookie', 'Connection', 'Expect', 'User-Agent', 'x-b'];
const VALUES = ['x', '', ' a b ', 'keep-alive', 'close', '100-continue', '\x80\xff', 'v'.repeat(200)];
/** Bytes that sit on grammar boundaries: where parsers disagree, if they do. */
const EDGE_BYTES = [0x0d, 0x0a, 0x20, 0x09, 0x00, 0x3a, 0x7f, 0x80, 0xff, 0x30, 0x3b, 0x2c, 0x16, 0x01];
/** Field lines that change framing, inserted by the mutator. */
const FRAMING_LINES = [
  'Transfer-Encoding: chunked\r\n',
  'Content-Length: 3\r\n',
  'Content-Length: 0\r\n',
  'Transfer-Encoding: gzip, chunked\r\n',
  'Transfer-Encoding: \r\n',
  'Content-Length: 1, 2\r\n',
  ' folded\r\n',
  'Trailer-Ish : x\r\n',
];

/** The body framed as the head says: a Content-Length, or chunks of random sizes with maybe a trailer. */
function framedBody(rand: Rand, body: string, chunked: boolean): { fields: string; bytes: string } {
  if (!chunked) return { fields: `Content-Length: ${body.length}\r\n`, bytes: body };
  let bytes = '';
  for (let i = 0; i < body.length;) {
    const n = 1 + Math.floor(rand() * Math.max(1, body.length - i));
    const ext = rand() < 0.1 ? ';e=1' : '';
    bytes += `${n.toString(16)}${ext}\r\n${body.slice(i, i + n)}\r\n`;
    i += n;
  }
  const trailer = rand() < 0.2 ? 'X-T: 1\r\n' : '';
  return { fields: 'Transfer-Encoding: chunked\r\n', bytes: `${bytes}0\r\n${trailer}\r\n` };
}

/** One valid request. */
function request(rand: Rand): string {
  const method = pick(rand, METHODS);
  const target = method === 'OPTIONS' && rand() < 0.3 ? '*' : pick(rand, TARGETS.slice(0, -2));
  let head = `${method} ${target} HTTP/1.${rand() < 0.9 ? 1 : 0}\r\nHost: h\r\n`;
  const extra = Math.floor(rand() * 4);
  for (let i = 0; i < extra; i++)
    head += `${pick(rand, NAMES.slice(1))}: ${pick(rand, VALUES.slice(0, 3))}\r\n`;
  if (rand() < 0.5 && head.includes('HTTP/1.1')) {
    const body = 'b'.repeat(Math.floor(rand() * 40));
    const { fields, bytes } = framedBody(rand, body, rand() < 0.5);
    return `${head}${fields}\r\n${bytes}`;
  }
  return `${head}\r\n`;
}

/** One valid response to a GET. */
function response(rand: Rand): string {
  const status = pick(rand, [200, 201, 204, 301, 304, 404, 500, 100, 103]);
  let head = `HTTP/1.${rand() < 0.9 ? 1 : 0} ${status} ${pick(rand, ['OK', '', 'Some Reason'])}\r\n`;
  const extra = Math.floor(rand() * 3);
  for (let i = 0; i < extra; i++)
    head += `${pick(rand, NAMES.slice(1))}: ${pick(rand, VALUES.slice(0, 3))}\r\n`;
  if (status < 200 || status === 204 || status === 304) return `${head}\r\n`;
  const body = 'r'.repeat(Math.floor(rand() * 40));
  const { fields, bytes } = framedBody(rand, body, rand() < 0.5 && head.startsWith('HTTP/1.1'));
  return `${head}${fields}\r\n${bytes}`;
}

/** A few mutations: a byte changed, inserted or deleted at a random place, or a framing line added. */
function mutate(rand: Rand, input: string): string {
  let s = input;
  const count = Math.floor(rand() * 3);
  for (let m = 0; m < count; m++) {
    const at = Math.floor(rand() * (s.length + 1));
    const byte = String.fromCharCode(rand() < 0.7 ? pick(rand, EDGE_BYTES) : Math.floor(rand() * 256));
    switch (Math.floor(rand() * 4)) {
      case 0:
        s = s.slice(0, at) + byte + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + byte + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      default: {
        const line = s.indexOf('\r\n', Math.min(at, s.indexOf('\r\n') + 2));
        if (line >= 0) s = s.slice(0, line + 2) + pick(rand, FRAMING_LINES) + s.slice(line + 2);
      }
    }
  }
  return s;
}

/** The case for a seed: 1–3 messages back to back, mutated (or not, a fifth of the time). */
export function fuzzCase(seed: number, role: 'request' | 'response'): string {
  const rand = random(seed);
  const make = role === 'request' ? request : response;
  let s = '';
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) s += make(rand);
  return rand() < 0.2 ? s : mutate(rand, s);
}

/** What a reader made of a stream: the messages it read whole, then how it stopped. */
export interface Outcome {
  messages: Array<{ start: string; body: string; trailers: number; keepAlive: boolean; doubt: boolean }>;
  /** The ParseError kind that stopped it, or 'incomplete' when input ran out mid-message, or 'end'. */
  end: string;
}

/** Feeds `input` in the given pieces (then ends the input) and reads everything out of it. */
export function readAll(role: 'request' | 'response', input: Buffer, cuts: number[]): Outcome {
  const reader = role === 'request' ? new RequestReader() : new ResponseReader();
  const messages: Outcome['messages'] = [];
  let current: Outcome['messages'][number] | null = null;
  const pump = (): void => {
    for (;;) {
      if (current === null) {
        const head = reader.readHead();
        if (head === null) return;
        const start =
          'method' in head
            ? `${head.method} ${head.target} ${head.version}`
            : `${head.version} ${head.status}`;
        // Transfer-Encoding with Content-Length, or in HTTP/1.0: framing in doubt (RFC 9112 §6.1).
        const doubt =
          head.headers.get('transfer-encoding') !== undefined &&
          (head.headers.get('content-length') !== undefined || head.versionMinor === 0);
        current = { start, body: '', trailers: 0, keepAlive: head.keepAlive, doubt };
      }
      const piece = reader.readBody();
      if (piece === null) return;
      if (piece === BODY_END) {
        current.trailers = reader.trailers?.size ?? 0;
        messages.push(current);
        current = null;
        continue;
      }
      current.body += piece.toString('latin1');
    }
  };
  try {
    let from = 0;
    for (const cut of [...cuts, input.length]) {
      reader.push(Buffer.from(input.subarray(from, cut)));
      from = cut;
      pump();
    }
    reader.endInput();
    pump();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { messages, end: err.kind };
  }
  return { messages, end: current !== null || reader.hasPartialHead ? 'incomplete' : 'end' };
}

/**
 * The checks of one case: the reader throws nothing but ParseErrors, every refusal maps to a 4xx/5xx,
 * and it reads the same messages with the same ending whether the bytes come whole, a byte at a time or
 * split at random points. A response whose framing is in doubt never keeps its connection.
 */
export function checkCase(seed: number, role: 'request' | 'response'): Outcome {
  const input = Buffer.from(fuzzCase(seed, role), 'latin1');
  const rand = random(seed ^ 0x9e3779b9);
  const whole = readAll(role, input, []);
  const splits: number[][] = [Array.from({ length: input.length - 1 }, (_, i) => i + 1)];
  const cuts: number[] = [];
  for (let i = 1; i < input.length; i++) if (rand() < 0.1) cuts.push(i);
  splits.push(cuts);
  for (const split of splits) {
    assert.deepEqual(readAll(role, input, split), whole, `seed ${seed}: split feeding disagrees with whole`);
  }
  if (role === 'request' && whole.end !== 'end' && whole.end !== 'incomplete') {
    const status = statusForParseError(whole.end as ParseError['kind']);
    assert.ok(status >= 400 && status < 600, `seed ${seed}: ${whole.end} → ${status}`);
  }
  for (const m of whole.messages) {
    // A request in doubt is refused; a response in doubt is read, and its connection ends with it.
    assert.ok(role === 'response' || !m.doubt, `seed ${seed}: a request with framing in doubt was read`);
    assert.ok(!m.doubt || !m.keepAlive, `seed ${seed}: a response with framing in doubt kept its connection`);
  }
  return whole;
}

/**
 * The Autobahn TestSuite's server cases for sections 1-7 and 9, as one table: what the client writes (each
 * Buffer one TCP write), what the server must send back, and how the connection must end. Ids follow
 * Autobahn's where a case matches one; the runner is autobahn.test.ts.
 */
import { closeBody, frame } from './raw-client.js';

export const TEXT = 0x1;
export const BINARY = 0x2;
export const CLOSE = 0x8;
export const PING = 0x9;
export const PONG = 0xa;
const CONT = 0x0;

/** How a case ends: the runner closes with 1000 ('ok'), the server fails with a code, or echoes the case's close. */
export type CaseEnd = 'ok' | { fail: number } | { echoClose: number | null };

export interface AutobahnCase {
  id: string;
  title: string;
  send: Buffer[];
  /** Frames the server sends back first, in order: [opcode, payload]. */
  expect?: Array<[number, Buffer | string]>;
  end?: CaseEnd;
}

/** Every byte a write of its own. */
export function bytewise(bytes: Buffer): Buffer[] {
  return [...bytes].map((b) => Buffer.from([b]));
}

/** Writes of `size` bytes. */
export function chop(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const text = (s: string | Buffer, fin = true): Buffer => frame(TEXT, s, { fin });
const cont = (s: string | Buffer, fin = true): Buffer => frame(CONT, s, { fin });
const ping = (s: string | Buffer = ''): Buffer => frame(PING, s);
const close = (code: number, reason: string | Buffer = ''): Buffer => frame(CLOSE, closeBody(code, reason));
const bytes = (n: number, fill = 0xfe): Buffer => Buffer.alloc(n, fill);
const chars = (n: number): string => '*'.repeat(n);

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

// 1: framing — text and binary of each length class (7-bit, 16-bit, 64-bit), and one sent in small writes.
const framing: AutobahnCase[] = [
  ...LENGTHS.map((n, i) => ({
    id: `1.1.${i + 1}`,
    title: `text, ${n} bytes`,
    send: [text(chars(n))],
    expect: [[TEXT, chars(n)]] as Array<[number, string]>,
  })),
  {
    id: '1.1.8',
    title: 'text, 65536 bytes in writes of 997',
    send: chop(text(chars(65536)), 997),
    expect: [[TEXT, chars(65536)]],
  },
  ...LENGTHS.map((n, i) => ({
    id: `1.2.${i + 1}`,
    title: `binary, ${n} bytes`,
    send: [frame(BINARY, bytes(n))],
    expect: [[BINARY, bytes(n)]] as Array<[number, Buffer]>,
  })),
  {
    id: '1.2.8',
    title: 'binary, 65536 bytes in writes of 997',
    send: chop(frame(BINARY, bytes(65536)), 997),
    expect: [[BINARY, bytes(65536)]],
  },
];

// 2: pings and pongs.
const tenPings = Array.from({ length: 10 }, (_, i) => ping(`ping ${i}`));
const pings: AutobahnCase[] = [
  { id: '2.1', title: 'ping, empty', send: [ping()], expect: [[PONG, '']] },
  { id: '2.2', title: 'ping with text', send: [ping('Hello, world!')], expect: [[PONG, 'Hello, world!']] },
  {
    id: '2.3',
    title: 'ping with binary',
    send: [ping(Buffer.from([0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff]))],
    expect: [[PONG, Buffer.from([0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff])]],
  },
  { id: '2.4', title: 'ping, 125 bytes', send: [ping(bytes(125))], expect: [[PONG, bytes(125)]] },
  { id: '2.5', title: 'ping, 126 bytes', send: [ping(bytes(126))], end: { fail: 1002 } },
  {
    id: '2.6',
    title: 'ping, 125 bytes, a byte at a time',
    send: bytewise(ping(bytes(125))),
    expect: [[PONG, bytes(125)]],
  },
  { id: '2.7', title: 'unsolicited pong, empty', send: [frame(PONG)] },
  { id: '2.8', title: 'unsolicited pong with payload', send: [frame(PONG, 'unsolicited')] },
  {
    id: '2.9',
    title: 'unsolicited pong, then ping',
    send: [frame(PONG, 'unsolicited'), ping('sol')],
    expect: [[PONG, 'sol']],
  },
  { id: '2.10', title: '10 pings', send: tenPings, expect: tenPings.map((_, i) => [PONG, `ping ${i}`]) },
  {
    id: '2.11',
    title: '10 pings, a byte at a time',
    send: tenPings.flatMap(bytewise),
    expect: tenPings.map((_, i) => [PONG, `ping ${i}`]),
  },
];

// 3: reserved bits, without an extension that defines them.
const rsv: AutobahnCase[] = [
  { id: '3.1', title: 'RSV1 on text', send: [frame(TEXT, 'hi', { rsv: 1 })], end: { fail: 1002 } },
  {
    id: '3.2',
    title: 'RSV2 after a good text',
    send: [text('hi'), frame(TEXT, 'hi', { rsv: 2 }), ping()],
    expect: [[TEXT, 'hi']],
    end: { fail: 1002 },
  },
  {
    id: '3.3',
    title: 'RSV3, a byte at a time',
    send: [text('hi'), ...bytewise(frame(TEXT, 'hi', { rsv: 3 })), ping()],
    expect: [[TEXT, 'hi']],
    end: { fail: 1002 },
  },
  {
    id: '3.4',
    title: 'RSV4 in one write with others',
    send: [Buffer.concat([text('hi'), frame(TEXT, 'hi', { rsv: 4 }), ping()])],
    expect: [[TEXT, 'hi']],
    end: { fail: 1002 },
  },
  { id: '3.5', title: 'RSV5 on binary', send: [frame(BINARY, bytes(8), { rsv: 5 })], end: { fail: 1002 } },
  { id: '3.6', title: 'RSV6 on ping', send: [frame(PING, 'hi', { rsv: 6 })], end: { fail: 1002 } },
  {
    id: '3.7',
    title: 'RSV7 on close',
    send: [frame(CLOSE, closeBody(1000), { rsv: 7 })],
    end: { fail: 1002 },
  },
];

// 4: reserved opcodes.
const opcodes: AutobahnCase[] = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15].flatMap((op, i) => {
  const section = op < 8 ? '4.1' : '4.2';
  const n = (i % 5) * 2;
  return [
    { id: `${section}.${n + 1}`, title: `opcode ${op}`, send: [frame(op)], end: { fail: 1002 } },
    {
      id: `${section}.${n + 2}`,
      title: `opcode ${op} with payload, between a text and a ping`,
      send: [text('hi'), frame(op, 'reserved'), ping()],
      expect: [[TEXT, 'hi']] as Array<[number, string]>,
      end: { fail: 1002 },
    },
  ];
});

// 5: fragmentation.
const fragments = ['fragment1', 'fragment2'];
const fragmented = [text(fragments[0]!, false), cont(fragments[1]!)];
const withPing = [text(fragments[0]!, false), ping('ping'), cont(fragments[1]!)];
const fragmentation: AutobahnCase[] = [
  {
    id: '5.1',
    title: 'fragmented ping',
    send: [frame(PING, 'a', { fin: false }), cont('b')],
    end: { fail: 1002 },
  },
  {
    id: '5.2',
    title: 'fragmented pong',
    send: [frame(PONG, 'a', { fin: false }), cont('b')],
    end: { fail: 1002 },
  },
  { id: '5.3', title: 'text in 2 fragments', send: fragmented, expect: [[TEXT, 'fragment1fragment2']] },
  {
    id: '5.4',
    title: 'text in 2 fragments, one write',
    send: [Buffer.concat(fragmented)],
    expect: [[TEXT, 'fragment1fragment2']],
  },
  {
    id: '5.5',
    title: 'text in 2 fragments, a byte at a time',
    send: fragmented.flatMap(bytewise),
    expect: [[TEXT, 'fragment1fragment2']],
  },
  {
    id: '5.6',
    title: 'ping between fragments',
    send: withPing,
    expect: [
      [PONG, 'ping'],
      [TEXT, 'fragment1fragment2'],
    ],
  },
  {
    id: '5.7',
    title: 'ping between fragments, one write',
    send: [Buffer.concat(withPing)],
    expect: [
      [PONG, 'ping'],
      [TEXT, 'fragment1fragment2'],
    ],
  },
  {
    id: '5.8',
    title: 'ping between fragments, a byte at a time',
    send: withPing.flatMap(bytewise),
    expect: [
      [PONG, 'ping'],
      [TEXT, 'fragment1fragment2'],
    ],
  },
  {
    id: '5.9',
    title: 'continuation (FIN) with no message, then text',
    send: [cont('x'), text('hi')],
    end: { fail: 1002 },
  },
  {
    id: '5.10',
    title: 'continuation (FIN) with no message, a byte at a time',
    send: [...bytewise(cont('x')), text('hi')],
    end: { fail: 1002 },
  },
  {
    id: '5.12',
    title: 'continuation (no FIN) with no message',
    send: [cont('x', false), text('hi')],
    end: { fail: 1002 },
  },
  {
    id: '5.15',
    title: 'continuation after the message ended',
    send: [text('a', false), cont('b'), cont('c', false), cont('d')],
    expect: [[TEXT, 'ab']],
    end: { fail: 1002 },
  },
  {
    id: '5.18',
    title: 'a new text message inside a fragmented one',
    send: [text('a', false), text('b')],
    end: { fail: 1002 },
  },
  {
    id: '5.19',
    title: '5 fragments with pings between',
    send: [
      text('1', false),
      cont('2', false),
      ping('p1'),
      cont('3', false),
      cont('4', false),
      ping('p2'),
      cont('5'),
    ],
    expect: [
      [PONG, 'p1'],
      [PONG, 'p2'],
      [TEXT, '12345'],
    ],
  },
  {
    id: '5.20',
    title: 'binary in 3 fragments with an empty one',
    send: [frame(BINARY, bytes(3), { fin: false }), cont(Buffer.alloc(0), false), cont(bytes(2))],
    expect: [[BINARY, bytes(5)]],
  },
  {
    id: '5.21',
    title: 'close between fragments',
    send: [text('a', false), close(1000)],
    end: { echoClose: 1000 },
  },
];

// 6: UTF-8.
const VALID: Array<[string, Buffer]> = [
  ['Hello-µ@ßöäüàá-UTF-8!!', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
  ['κόσμε', Buffer.from('κόσμε')],
  ['U+0000', Buffer.from([0x00])],
  ['U+007F', Buffer.from([0x7f])],
  ['U+0080', Buffer.from([0xc2, 0x80])],
  ['U+07FF', Buffer.from([0xdf, 0xbf])],
  ['U+0800', Buffer.from([0xe0, 0xa0, 0x80])],
  ['U+D7FF', Buffer.from([0xed, 0x9f, 0xbf])],
  ['U+E000', Buffer.from([0xee, 0x80, 0x80])],
  ['U+FFFD', Buffer.from([0xef, 0xbf, 0xbd])],
  ['U+FFFF', Buffer.from([0xef, 0xbf, 0xbf])],
  ['U+10000', Buffer.from([0xf0, 0x90, 0x80, 0x80])],
  ['U+10FFFF', Buffer.from([0xf4, 0x8f, 0xbf, 0xbf])],
];
const INVALID: Array<[string, Buffer]> = [
  ['lone continuation 0x80', Buffer.from([0x80])],
  ['lone continuation 0xBF in text', Buffer.from([0x61, 0xbf, 0x61])],
  ['overlong / (C0 AF)', Buffer.from([0xc0, 0xaf])],
  ['overlong NUL (C1 80)', Buffer.from([0xc1, 0x80])],
  ['overlong 3-byte (E0 80 AF)', Buffer.from([0xe0, 0x80, 0xaf])],
  ['overlong 4-byte (F0 80 80 AF)', Buffer.from([0xf0, 0x80, 0x80, 0xaf])],
  ['surrogate U+D800 (ED A0 80)', Buffer.from([0xed, 0xa0, 0x80])],
  ['surrogate U+DFFF (ED BF BF)', Buffer.from([0xed, 0xbf, 0xbf])],
  ['surrogate pair (ED A0 80 ED B0 80)', Buffer.from([0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80])],
  ['U+110000 (F4 90 80 80)', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
  ['F5 lead byte', Buffer.from([0xf5, 0x80, 0x80, 0x80])],
  ['FE', Buffer.from([0xfe])],
  ['FF', Buffer.from([0xff])],
  ['cut short at the end (CE BA E1)', Buffer.from([0xce, 0xba, 0xe1])],
  ['cut short 4-byte (F0 90 80)', Buffer.from([0xf0, 0x90, 0x80])],
];
/** One fragment per byte. */
const perByteFragments = (b: Buffer): Buffer[] =>
  b.length === 1
    ? [text(b)]
    : [...b].map((byte, i) => (i === 0 ? text : cont)(Buffer.from([byte]), i === b.length - 1));
const utf8: AutobahnCase[] = [
  ...VALID.flatMap(([name, b], i): AutobahnCase[] => [
    { id: `6.v${i}.whole`, title: `valid ${name}`, send: [text(b)], expect: [[TEXT, b]] },
    {
      id: `6.v${i}.fragments`,
      title: `valid ${name}, a fragment per byte`,
      send: perByteFragments(b),
      expect: [[TEXT, b]],
    },
    {
      id: `6.v${i}.bytewise`,
      title: `valid ${name}, a write per byte`,
      send: bytewise(text(b)),
      expect: [[TEXT, b]],
    },
  ]),
  ...INVALID.flatMap(([name, b], i): AutobahnCase[] => [
    { id: `6.i${i}.whole`, title: `invalid ${name}`, send: [text(b)], end: { fail: 1007 } },
    {
      id: `6.i${i}.fragments`,
      title: `invalid ${name}, a fragment per byte`,
      send: perByteFragments(b),
      end: { fail: 1007 },
    },
    {
      id: `6.i${i}.bytewise`,
      title: `invalid ${name}, a write per byte`,
      send: bytewise(text(b)),
      end: { fail: 1007 },
    },
  ]),
  // Fail fast (6.4.x): the server must fail on the bad bytes without waiting for the rest, which never comes.
  {
    id: '6.4.1',
    title: 'fail fast: invalid second fragment, the third never sent',
    send: [text('κόσμε', false), cont(Buffer.from([0xf4, 0x90, 0x80, 0x80]), false)],
    end: { fail: 1007 },
  },
  {
    id: '6.4.2',
    title: 'fail fast: the bad byte (F4 90) opens the second fragment',
    send: [text('κόσμε', false), cont(Buffer.from([0xf4, 0x90]), false)],
    end: { fail: 1007 },
  },
  {
    id: '6.4.3',
    title: 'fail fast inside one frame: its rest never sent',
    send: [
      frame(
        TEXT,
        Buffer.concat([Buffer.from('κόσμε'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('edited')]),
      ).subarray(0, 6 + 13),
    ],
    end: { fail: 1007 },
  },
  {
    id: '6.4.4',
    title: 'fail fast a byte at a time inside one frame',
    send: bytewise(
      frame(
        TEXT,
        Buffer.concat([Buffer.from('κόσμε'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('edited')]),
      ).subarray(0, 6 + 13),
    ),
    end: { fail: 1007 },
  },
];

// 7: closing.
const VALID_CODES = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
const closing: AutobahnCase[] = [
  {
    id: '7.1.1',
    title: 'text, then close',
    send: [text('Hello World!'), close(1000)],
    expect: [[TEXT, 'Hello World!']],
    end: { echoClose: 1000 },
  },
  { id: '7.1.2', title: 'close twice', send: [close(1000), close(1000)], end: { echoClose: 1000 } },
  {
    id: '7.1.3',
    title: 'ping after close ignored',
    send: [close(1000), ping('after')],
    end: { echoClose: 1000 },
  },
  {
    id: '7.1.4',
    title: 'text after close ignored',
    send: [close(1000), text('after')],
    end: { echoClose: 1000 },
  },
  {
    id: '7.1.5',
    title: 'close inside a fragmented message, continuation after it',
    send: [text('a', false), close(1000), cont('b')],
    end: { echoClose: 1000 },
  },
  {
    id: '7.1.6',
    title: 'large text, ping, close in one write',
    send: [Buffer.concat([text(chars(256 * 1024)), ping('p'), close(1000)])],
    expect: [
      [TEXT, chars(256 * 1024)],
      [PONG, 'p'],
    ],
    end: { echoClose: 1000 },
  },
  { id: '7.3.1', title: 'close without a payload', send: [frame(CLOSE)], end: { echoClose: null } },
  {
    id: '7.3.2',
    title: 'close with a 1-byte payload',
    send: [frame(CLOSE, Buffer.from([0x03]))],
    end: { fail: 1002 },
  },
  { id: '7.3.3', title: 'close 1000, no reason', send: [close(1000)], end: { echoClose: 1000 } },
  {
    id: '7.3.4',
    title: 'close 1000 with a reason',
    send: [close(1000, 'Hello World!')],
    end: { echoClose: 1000 },
  },
  {
    id: '7.3.5',
    title: 'close with a 123-byte reason',
    send: [close(1000, chars(123))],
    end: { echoClose: 1000 },
  },
  {
    id: '7.3.6',
    title: 'close with a 124-byte reason (126-byte control frame)',
    send: [close(1000, chars(124))],
    end: { fail: 1002 },
  },
  {
    id: '7.5.1',
    title: 'close reason not UTF-8',
    send: [close(1000, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0x80, 0xed, 0xa0, 0x80, 0x65]))],
    end: { fail: 1007 },
  },
  ...VALID_CODES.map((code, i): AutobahnCase => ({
    id: `7.7.${i + 1}`,
    title: `valid close code ${code}`,
    send: [close(code)],
    end: { echoClose: code },
  })),
  ...INVALID_CODES.map((code, i): AutobahnCase => ({
    id: `7.9.${i + 1}`,
    title: `invalid close code ${code}`,
    send: [close(code)],
    end: { fail: 1002 },
  })),
];

// 9: a large message echoed whole.
const big = Buffer.alloc(16 * 1024 * 1024, 0x2a);
const limits: AutobahnCase[] = [
  {
    id: '9.1.6',
    title: 'text, 16 MiB (maxPayload exactly)',
    send: chop(frame(TEXT, big), 256 * 1024),
    expect: [[TEXT, big]],
  },
  {
    id: '9.2.6',
    title: 'binary, 16 MiB in 64 fragments',
    send: chop(big, 256 * 1024).map((b, i, all) =>
      frame(i === 0 ? BINARY : CONT, b, { fin: i === all.length - 1 }),
    ),
    expect: [[BINARY, big]],
  },
];

// Masking and lengths beyond Autobahn.
const masking: AutobahnCase[] = [
  {
    id: 'm.1',
    title: 'unmasked client text',
    send: [frame(TEXT, 'hi', { mask: false })],
    end: { fail: 1002 },
  },
  {
    id: 'm.2',
    title: '64-bit length with its top bit set',
    send: [Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4])],
    end: { fail: 1002 },
  },
];

export const CASES: AutobahnCase[] = [
  ...framing,
  ...pings,
  ...rsv,
  ...opcodes,
  ...fragmentation,
  ...utf8,
  ...closing,
  ...limits,
  ...masking,
];

/** The pure WebSocket protocol pieces: frame reader, header writer, masking, UTF-8, close codes, handshake. */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Headers } from '../../src/protocol/headers.js';
import {
  isApplicationCloseCode,
  isWireCloseCode,
  parseClosePayload,
} from '../../src/protocol/websocket/close-codes.js';
import { frameHeader } from '../../src/protocol/websocket/frame-header.js';
import { FrameReader, type FrameRole, type FrameSink } from '../../src/protocol/websocket/frame-reader.js';
import { checkHandshake } from '../../src/protocol/websocket/handshake.js';
import { applyMask } from '../../src/protocol/websocket/mask.js';
import { Utf8Validator } from '../../src/protocol/websocket/utf8-validator.js';
import { frame, parseFrame } from './raw-client.js';

/** Feeds `bytes` to a reader in pieces of `size` and lists what it reports. */
function read(bytes: Buffer, size: number, role: FrameRole = 'server', rsv1 = false): string[] {
  const events: string[] = [];
  let payload: Buffer[] = [];
  const sink: FrameSink = {
    frameStart: (r) => events.push(`start op=${r.opcode} fin=${r.fin} rsv1=${r.rsv1} len=${r.payloadLength}`),
    framePayload: (data, last) => {
      payload.push(Buffer.from(data));
      if (last) {
        events.push(`payload ${Buffer.concat(payload).toString('hex')}`);
        payload = [];
      }
    },
    frameError: (code, message) => events.push(`error ${code} ${message}`),
  };
  const reader = new FrameReader(sink, role, rsv1);
  for (let i = 0; i < bytes.length; i += size) reader.push(Buffer.from(bytes.subarray(i, i + size)));
  return events;
}

describe('FrameReader', () => {
  const stream = Buffer.concat([
    frame(1, 'hello', { fin: false }),
    frame(9, 'p'),
    frame(0, randomBytes(300)),
    frame(2, randomBytes(70_000)),
    frame(2, ''),
    frame(8, Buffer.from([3, 232])),
  ]);

  it('reads the same frames from a stream in any piece size, down to one byte', () => {
    const whole = read(stream, stream.length);
    assert.equal(whole.length, 12);
    assert.equal(whole[0], 'start op=1 fin=false rsv1=false len=5');
    assert.equal(whole[1], `payload ${Buffer.from('hello').toString('hex')}`);
    for (const size of [1, 2, 3, 7, 13, 1000])
      assert.deepEqual(read(stream, size), whole, `pieces of ${size}`);
  });

  const REFUSED: Array<[string, Buffer, FrameRole, string]> = [
    ['an unmasked frame to a server', frame(1, 'x', { mask: false }), 'server', 'must be masked'],
    ['a masked frame to a client', frame(1, 'x'), 'client', 'must not be masked'],
    ['RSV1 without an extension', frame(1, 'x', { rsv: 4 }), 'server', 'RSV'],
    [
      'RSV1 on a continuation',
      Buffer.concat([frame(1, 'x', { fin: false }), frame(0, 'y', { rsv: 4 })]),
      'server',
      'RSV',
    ],
    ['a reserved data opcode', frame(3), 'server', 'reserved opcode 3'],
    ['a reserved control opcode', frame(11), 'server', 'reserved opcode 11'],
    ['a fragmented ping', frame(9, '', { fin: false }), 'server', 'fragmented'],
    ['a 126-byte ping', frame(9, Buffer.alloc(126)), 'server', '125'],
    ['a lone continuation', frame(0, 'x'), 'server', 'continuation'],
    [
      'a text inside a fragmented text',
      Buffer.concat([frame(1, 'x', { fin: false }), frame(1, 'y')]),
      'server',
      'new message',
    ],
  ];
  for (const [name, bytes, role, message] of REFUSED) {
    it(`refuses ${name} with 1002, whole and a byte at a time`, () => {
      for (const size of [bytes.length, 1]) {
        const last = read(bytes, size, role).at(-1)!;
        assert.match(last, /^error 1002 /);
        assert.ok(last.includes(message), last);
      }
    });
  }

  it('allows RSV1 on the first frame of a message when an extension defines it', () => {
    assert.equal(
      read(frame(1, 'x', { rsv: 4 }), 100, 'server', true)[0],
      'start op=1 fin=true rsv1=true len=1',
    );
  });

  it('refuses a 64-bit length with its top bit set', () => {
    const bytes = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    assert.match(read(bytes, 1).at(-1)!, /^error 1002 .*top bit/);
  });

  it('reads nothing more after an error', () => {
    const events = read(Buffer.concat([frame(3), frame(1, 'after')]), 1000);
    assert.equal(events.length, 1);
  });
});

describe('frame header writer', () => {
  for (const length of [0, 125, 126, 65535, 65536, 2 ** 32 + 5]) {
    it(`writes the shortest length form for ${length} bytes`, () => {
      const header = frameHeader(0x82, length);
      assert.equal(header.length, length < 126 ? 2 : length < 65536 ? 4 : 10);
      const padded = Buffer.concat([header, Buffer.alloc(Math.min(length, 70_000))]);
      if (length <= 70_000) {
        const parsed = parseFrame(padded)!;
        assert.deepEqual(
          [parsed.frame.opcode, parsed.frame.fin, parsed.frame.payload.length],
          [2, true, length],
        );
      } else assert.equal(padded.readBigUInt64BE(2), BigInt(length));
    });
  }
});

describe('applyMask', () => {
  it('equals the byte-by-byte XOR at every length, alignment and mask phase', () => {
    const mask = Uint8Array.from([0x12, 0x34, 0x56, 0x78]);
    const base = randomBytes(300);
    for (let offset = 0; offset < 4; offset++) {
      for (const length of [0, 1, 3, 4, 31, 32, 33, 100, 257]) {
        for (let phase = 0; phase < 4; phase++) {
          const data = Buffer.from(base.subarray(0, offset + length)).subarray(offset);
          const want = Buffer.from(data.map((b, i) => b ^ mask[(phase + i) & 3]!));
          applyMask(data, mask, phase);
          assert.ok(data.equals(want), `offset ${offset} length ${length} phase ${phase}`);
        }
      }
    }
  });
});

describe('Utf8Validator', () => {
  it('agrees with isUtf8 on random and edge sequences, split at every point', () => {
    const samples: Buffer[] = [
      Buffer.from('κόσμε 😀 ascii'),
      Buffer.from([0xf4, 0x8f, 0xbf, 0xbf]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
      Buffer.from([0xed, 0x9f, 0xbf, 0xed, 0xa0, 0x80]),
      Buffer.from([0xe0, 0x9f, 0x80]),
      Buffer.from([0xc2]),
    ];
    for (let i = 0; i < 300; i++) {
      const bytes = randomBytes(1 + (i % 6));
      for (let j = 0; j < bytes.length; j++) if (bytes[j]! < 0x80 && i % 2 === 0) bytes[j]! |= 0x80;
      samples.push(bytes);
    }
    for (const sample of samples) {
      for (let split = 0; split <= sample.length; split++) {
        const v = new Utf8Validator();
        const ok = v.write(sample.subarray(0, split)) && v.write(sample.subarray(split)) && v.end();
        assert.equal(ok, isUtf8(sample), `${sample.toString('hex')} split at ${split}`);
      }
    }
  });

  it('fails at the first byte no valid text continues with', () => {
    assert.equal(new Utf8Validator().write(Buffer.from([0xce, 0xba, 0xf4, 0x90])), false);
    assert.equal(new Utf8Validator().write(Buffer.from([0xe0, 0x80])), false);
    assert.equal(new Utf8Validator().write(Buffer.from([0xf4])), true);
  });
});

describe('close codes', () => {
  it('allows on the wire exactly 1000-1003, 1007-1014 and 3000-4999', () => {
    const valid: number[] = [];
    for (let code = 0; code < 6000; code++) if (isWireCloseCode(code)) valid.push(code);
    const want = [1000, 1001, 1002, 1003, ...Array.from({ length: 8 }, (_, i) => 1007 + i)];
    assert.deepEqual(valid.slice(0, 12), want);
    assert.equal(valid.length, 12 + 2000);
    assert.deepEqual([valid.at(12), valid.at(-1)], [3000, 4999]);
  });

  it('lets an application close with 1000 and 3000-4999 only', () => {
    assert.deepEqual([1000, 1001, 2999, 3000, 4999, 5000, 3000.5].map(isApplicationCloseCode), [
      true,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('reads a close payload: none is 1005, one byte is 1002, a bad reason 1007', () => {
    assert.deepEqual(parseClosePayload(Buffer.alloc(0)), { code: 1005, reason: '' });
    assert.equal(parseClosePayload(Buffer.from([3])), 1002);
    assert.equal(parseClosePayload(Buffer.from([3, 0xed])), 1002);
    assert.equal(parseClosePayload(Buffer.from([3, 0xe8, 0xff])), 1007);
    assert.deepEqual(parseClosePayload(Buffer.from([0x0f, 0xa0, 0x68, 0x69])), { code: 4000, reason: 'hi' });
  });
});

describe('checkHandshake', () => {
  const headers = (fields: Record<string, string>): Headers => {
    const h = new Headers();
    for (const [k, v] of Object.entries(fields)) h.add(k, v);
    return h;
  };
  const good = {
    Upgrade: 'WebSocket',
    Connection: 'keep-alive, Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
  };

  it('accepts tokens in any case and inside lists, and collects offers', () => {
    const check = checkHandshake(
      'GET',
      1,
      headers({
        ...good,
        'Sec-WebSocket-Protocol': 'a, b',
        'Sec-WebSocket-Extensions': 'permessage-deflate',
      }),
    );
    assert.deepEqual(check, {
      ok: true,
      accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      protocols: ['a', 'b'],
      extensions: 'permessage-deflate',
    });
  });

  it('refuses a key whose last character leaves bits over (not 16 bytes exactly)', () => {
    const check = checkHandshake(
      'GET',
      1,
      headers({ ...good, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZR==' }),
    );
    assert.equal(check.ok, false);
  });
});

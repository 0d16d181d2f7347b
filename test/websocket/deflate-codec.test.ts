import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { NegotiatedDeflate } from '../../src/protocol/websocket/deflate-offer.js';
import {
  DeflateClosedError,
  DeflateDataError,
  DeflateTooLargeError,
} from '../../src/websocket/deflate-errors.js';
import { PerMessageDeflate } from '../../src/websocket/permessage-deflate.js';
import { DeflatePeer, TRAILER, repetitive } from './deflate-peer.js';

const MiB = 1024 * 1024;

function codec(
  params: Partial<NegotiatedDeflate> = {},
  maxPayload = 16 * MiB,
  threshold = 1024,
): PerMessageDeflate {
  return new PerMessageDeflate(
    {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
      ...params,
    },
    { maxPayload, threshold },
  );
}

function compress(c: PerMessageDeflate, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    c.compress(data, true, (err, out) => (err ? reject(err) : resolve(out!))),
  );
}

function decompress(c: PerMessageDeflate, data: Buffer, fin = true): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) =>
    c.decompress(data, fin, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** Inflates a message payload alone, with a fresh context: what a peer can do only without takeover. */
const inflateAlone = (payload: Buffer, windowBits = 15): Buffer =>
  zlib.inflateRawSync(Buffer.concat([payload, TRAILER]), {
    windowBits,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });

const SIZES = [0, 1, 125, 126, 1000, 65_535, 65_536, 300_000];

describe('PerMessageDeflate: compress', () => {
  it('strips the trailer and keeps the context between messages (takeover)', async () => {
    const c = codec();
    const peer = new DeflatePeer();
    const message = repetitive(20_000);
    const first = await compress(c, message);
    assert.notDeepEqual(first.subarray(-4), TRAILER);
    const second = await compress(c, message);
    // The second copy is a few back-references into the first.
    assert.ok(second.length < first.length / 4, `${second.length} vs ${first.length}`);
    assert.deepEqual(await peer.inflate(first), message);
    assert.deepEqual(await peer.inflate(second), message);
    assert.throws(() => inflateAlone(second));
    for (const size of SIZES)
      assert.deepEqual(
        await peer.inflate(await compress(c, repetitive(size, 4096, size))),
        repetitive(size, 4096, size),
      );
    c.close();
    peer.close();
  });

  it('starts each message afresh with server_no_context_takeover', async () => {
    const c = codec({ serverNoContextTakeover: true });
    const message = repetitive(20_000);
    const first = await compress(c, message);
    const second = await compress(c, message);
    assert.deepEqual(second, first);
    for (const size of SIZES)
      assert.deepEqual(inflateAlone(await compress(c, repetitive(size))), repetitive(size));
    c.close();
  });

  it('compresses the empty message to one 0x00 byte (RFC 7692 §7.2.3.6)', async () => {
    const c = codec({ serverNoContextTakeover: true });
    assert.deepEqual(await compress(c, Buffer.alloc(0)), Buffer.from([0x00]));
    c.close();
  });

  for (let bits = 8; bits <= 15; bits++) {
    it(`keeps within server_max_window_bits=${bits}: an inflater with that window reads every message`, async () => {
      const c = codec({ serverMaxWindowBits: bits });
      const peer = new DeflatePeer({ inflateBits: bits });
      for (let i = 0; i < 4; i++) {
        const message = repetitive(40_000, 32 * 1024, i + bits);
        assert.deepEqual(await peer.inflate(await compress(c, message)), message);
      }
      c.close();
      peer.close();
    });
  }

  it('says whether a message reaches the threshold', () => {
    const c = codec({}, MiB, 100);
    assert.equal(c.shouldCompress(99), false);
    assert.equal(c.shouldCompress(100), true);
    assert.equal(codec({}, MiB, 0).shouldCompress(0), true);
  });
});

describe('PerMessageDeflate: decompress', () => {
  it('inflates messages in any fragmentation, with the context of those before (takeover)', async () => {
    const c = codec();
    const peer = new DeflatePeer();
    for (const size of SIZES) {
      const message = repetitive(size, 32 * 1024, size + 7);
      const payload = await peer.deflate(message);
      for (const pieces of [1, 2, 7]) {
        // The same message again each time: after the first it is mostly back-references.
        const again = pieces === 1 ? payload : await peer.deflate(message);
        const step = Math.ceil(again.length / pieces);
        let out: Buffer | undefined;
        for (let at = 0; at < again.length || at === 0; at += step) {
          const last = at + step >= again.length;
          out = await decompress(c, again.subarray(at, at + step), last);
          assert.equal(out === undefined, !last);
          if (again.length === 0) break;
        }
        assert.deepEqual(out, message);
      }
    }
    c.close();
    peer.close();
  });

  it('inflates the empty message, sent as 0x00 or as no bytes at all', async () => {
    const c = codec();
    assert.deepEqual(await decompress(c, Buffer.from([0x00])), Buffer.alloc(0));
    assert.deepEqual(await decompress(c, Buffer.alloc(0)), Buffer.alloc(0));
    c.close();
  });

  it('resets its context after each message with client_no_context_takeover', async () => {
    const message = repetitive(5_000);
    const peer = new DeflatePeer();
    const first = await peer.deflate(message);
    const second = await peer.deflate(message);
    // With takeover the second message refers into the first: a reset inflater must refuse it.
    const kept = codec();
    await decompress(kept, first);
    assert.deepEqual(await decompress(kept, second), message);
    const reset = codec({ clientNoContextTakeover: true });
    await decompress(reset, first);
    await assert.rejects(decompress(reset, second), DeflateDataError);
    // What a client without takeover sends reads fine.
    const fresh = codec({ clientNoContextTakeover: true });
    const alone = new DeflatePeer({ noContextTakeover: true });
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await decompress(fresh, await alone.deflate(message)), message);
    for (const c of [kept, reset, fresh]) c.close();
    peer.close();
    alone.close();
  });

  it('inflates with exactly the client window: wider back-references are refused', async () => {
    for (let bits = 8; bits <= 15; bits++) {
      const c = codec({ clientMaxWindowBits: bits });
      const peer = new DeflatePeer({ deflateBits: Math.max(bits, 9) });
      const message = repetitive(60_000, 32 * 1024, bits);
      assert.deepEqual(await decompress(c, await peer.deflate(message)), message, `bits ${bits}`);
      c.close();
      peer.close();
    }
    const narrow = codec({ clientMaxWindowBits: 9 });
    const wide = new DeflatePeer({ deflateBits: 15 });
    await assert.rejects(
      decompress(narrow, await wide.deflate(repetitive(60_000, 32 * 1024))),
      DeflateDataError,
    );
    narrow.close();
    wide.close();
  });

  it('fails data that does not inflate with DeflateDataError (close 1007), then every later call', async () => {
    const c = codec();
    const err = await decompress(c, Buffer.from([0xff, 0xff, 0xff, 0xff])).catch((e: unknown) => e);
    assert.ok(err instanceof DeflateDataError);
    assert.equal(err.code, 'BH_ERR_DEFLATE_DATA');
    assert.equal(err.closeCode, 1007);
    assert.ok(err.cause instanceof Error);
    await assert.rejects(decompress(c, Buffer.from([0x00])), (e: unknown) => e === err);
    // The other direction is unharmed.
    assert.deepEqual(inflateAlone(await compress(c, Buffer.from('still fine'))), Buffer.from('still fine'));
    c.close();
  });
});

describe('PerMessageDeflate: maxPayload', () => {
  it('lets a message of exactly maxPayload through and fails one byte more with DeflateTooLargeError', async () => {
    const limit = 100_000;
    const peer = new DeflatePeer({ noContextTakeover: true });
    const exact = codec({}, limit);
    assert.equal((await decompress(exact, await peer.deflate(Buffer.alloc(limit, 'a'))))?.length, limit);
    const over = codec({}, limit);
    const err = await decompress(over, await peer.deflate(Buffer.alloc(limit + 1, 'a'))).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof DeflateTooLargeError);
    assert.equal(err.code, 'BH_ERR_DEFLATE_TOO_LARGE');
    assert.equal(err.closeCode, 1009);
    exact.close();
    over.close();
    peer.close();
  });

  it('counts the whole message across its fragments', async () => {
    const peer = new DeflatePeer();
    const payload = await peer.deflate(repetitive(300_000));
    const c = codec({}, 200_000);
    const half = payload.length >> 1;
    // The first fragment may stay under the limit; the message as a whole may not.
    const first = await decompress(c, payload.subarray(0, half), false).catch((e: unknown) => e);
    const err =
      first instanceof Error ? first : await decompress(c, payload.subarray(half)).catch((e: unknown) => e);
    assert.ok(err instanceof DeflateTooLargeError);
    c.close();
    peer.close();
  });

  it('stops a deflate bomb at the limit: 1 GiB of zeros never costs more than a few times maxPayload', async () => {
    const limit = 4 * MiB;
    // 1 GiB of zeros compresses to about 1 MiB: 16 sync-flushed 64 MiB pieces, without 1 GiB in hand.
    const piece = zlib.deflateRawSync(Buffer.alloc(64 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const bomb = Buffer.concat(Array.from({ length: 16 }, () => piece)).subarray(0, -TRAILER.length);
    const c = codec({}, limit);
    const before = process.memoryUsage();
    let peak = 0;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers + now.heapUsed - before.arrayBuffers - before.heapUsed);
    }, 1);
    const err = await decompress(c, bomb).catch((e: unknown) => e);
    clearInterval(sample);
    const after = process.memoryUsage();
    peak = Math.max(peak, after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed);
    assert.ok(err instanceof DeflateTooLargeError);
    assert.ok(
      peak < 4 * limit,
      `memory grew by ${(peak / MiB).toFixed(1)} MiB for a ${limit / MiB} MiB limit`,
    );
    c.close();
  });
});

describe('PerMessageDeflate: order and lifetime', () => {
  it('answers concurrent calls in the order they were made, each direction on its own', async () => {
    const c = codec();
    const messages = Array.from({ length: 60 }, (_, i) => repetitive((i * 7919) % 70_000, 32 * 1024, i));
    const peer = new DeflatePeer();
    const payloads: Buffer[] = [];
    for (const m of messages) payloads.push(await peer.deflate(m));
    const order: string[] = [];
    const compressed: Array<Promise<Buffer>> = [];
    const inflated: Array<Promise<Buffer | undefined>> = [];
    for (let i = 0; i < messages.length; i++) {
      compressed.push(compress(c, messages[i]!).finally(() => order.push(`c${i}`)));
      inflated.push(decompress(c, payloads[i]!).finally(() => order.push(`d${i}`)));
    }
    const outs = await Promise.all(compressed);
    assert.deepEqual(await Promise.all(inflated), messages);
    assert.deepEqual(
      order.filter((x) => x.startsWith('c')),
      messages.map((_, i) => `c${i}`),
    );
    assert.deepEqual(
      order.filter((x) => x.startsWith('d')),
      messages.map((_, i) => `d${i}`),
    );
    const reader = new DeflatePeer();
    for (let i = 0; i < outs.length; i++) assert.deepEqual(await reader.inflate(outs[i]!), messages[i]);
    c.close();
    peer.close();
    reader.close();
  });

  it('keeps the order when a callback makes the next call itself', async () => {
    const c = codec();
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      c.compress(Buffer.from('a'), true, () => {
        seen.push(1);
        c.compress(Buffer.from('c'), true, () => {
          seen.push(3);
          resolve();
        });
      });
      c.compress(Buffer.from('b'), true, () => seen.push(2));
    });
    assert.deepEqual(seen, [1, 2, 3]);
    c.close();
  });

  it('after close(): waiting callbacks never run, new calls throw DeflateClosedError', async () => {
    const c = codec();
    let called = false;
    c.compress(repetitive(100_000), true, () => (called = true));
    c.decompress(Buffer.from([0x00]), true, () => (called = true));
    c.close();
    c.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(called, false);
    assert.throws(() => c.compress(Buffer.alloc(1), true, () => {}), DeflateClosedError);
    assert.throws(
      () => c.decompress(Buffer.alloc(1), true, () => {}),
      (e: DeflateClosedError) => e.code === 'BH_ERR_DEFLATE_CLOSED',
    );
  });
});

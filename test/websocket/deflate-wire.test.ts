/**
 * permessage-deflate over real sockets, the Autobahn TestSuite's sections 12 (compressed echo of many sizes
 * and fragmentations) and 13 (each context-takeover and window-bits offer) done again here, against an
 * HTTPServer whose handler calls acceptWebSocket({ compress }). Clients: a raw one with its own zlib that
 * inflates with exactly the window the server announced, and the `ws` package.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocketClient from 'ws';
import {
  BaseHTTPRequestHandler,
  type PerMessageDeflateOptions,
  type WebSocketOptions,
} from '../../src/index.js';
import { negotiateDeflate } from '../../src/protocol/websocket/deflate-offer.js';
import { serverForSuite } from '../helpers/server.js';
import { DeflateClient, OP } from './deflate-client.js';
import { repetitive } from './deflate-peer.js';

const MiB = 1024 * 1024;

/** The server's `compress` option by request path: each configuration of section 13 from the server's side. */
const SERVER_OPTIONS: Record<string, PerMessageDeflateOptions | true> = {
  '/default': true,
  '/all': { threshold: 0 },
  '/server-nct': { threshold: 0, serverNoContextTakeover: true },
  '/client-nct': { threshold: 0, clientNoContextTakeover: true },
  '/server-bits-9': { threshold: 0, serverMaxWindowBits: 9 },
  '/server-bits-8': { threshold: 0, serverMaxWindowBits: 8 },
  '/client-bits-10': { threshold: 0, clientMaxWindowBits: 10 },
  '/small': {
    threshold: 0,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 8,
    clientMaxWindowBits: 8,
  },
};
const MAX_PAYLOAD = 4 * MiB;

class EchoHandler extends BaseHTTPRequestHandler {
  doGET(): void {
    const path = this.path.split('?')[0]!;
    const options: WebSocketOptions = { compress: SERVER_OPTIONS[path] ?? false, maxPayload: MAX_PAYLOAD };
    const socket = this.acceptWebSocket(options);
    socket.binaryType = 'nodebuffer';
    socket.onmessage = (event) => socket.send(event.data);
  }
}

const running = serverForSuite(EchoHandler);

/** Section 12's payloads: compressible text, incompressible bytes, and bytes with long-range repeats. */
function payloads(size: number, seed: number): Array<{ opcode: number; data: Buffer }> {
  const text = Buffer.from('Hello, permessage-deflate! '.repeat(Math.ceil(size / 27)).slice(0, size));
  const random = Buffer.alloc(size);
  for (let i = 0, x = seed; i < size; i++) random[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) >>> 16;
  return [
    { opcode: OP.text, data: text },
    { opcode: OP.binary, data: random },
    { opcode: OP.binary, data: repetitive(size, 32 * 1024, seed) },
  ];
}

const SIZES = [0, 16, 64, 256, 1024, 4096, 8192, 16_384, 32_768, 65_536, 131_072];

/**
 * Echoes every payload kind of every size in the given fragmentations, each message twice (the second leans
 * on the context the first left, where takeover is on), and checks each answer: same bytes, compressed.
 */
async function echoAll(client: DeflateClient, fragmentations: number[], sizes = SIZES): Promise<void> {
  for (const size of sizes) {
    for (const { opcode, data } of payloads(size, size + 1)) {
      for (const fragments of fragmentations) {
        for (let copy = 0; copy < 2; copy++) {
          await client.sendMessage(data, { opcode, fragments, pingBetween: fragments > 1 });
          const echo = await client.nextMessage();
          assert.ok(echo !== null && echo.opcode === opcode, `echo of ${size} bytes in ${fragments} frames`);
          assert.equal(echo.compressed, true);
          assert.ok(echo.data.equals(data), `${size} bytes in ${fragments} frames, copy ${copy}`);
        }
      }
    }
  }
}

describe('permessage-deflate on the wire: section 12, compressed echo', () => {
  it('echoes text and binary of 0 B to 128 KiB, whole and in 2, 5 and 64-byte-ish frames, pings between', async () => {
    const client = await DeflateClient.connect(running.port, '/all', 'permessage-deflate');
    assert.equal(client.extensions, 'permessage-deflate');
    await echoAll(client, [1, 2, 5]);
    await echoAll(client, [1024], [65_536, 131_072]);
    assert.equal(await client.close(), 1000);
  });

  it('sends messages under the threshold (default 1024) uncompressed and still reads compressed ones', async () => {
    const client = await DeflateClient.connect(running.port, '/default', 'permessage-deflate');
    for (const size of [0, 100, 1023, 1024, 5000]) {
      const data = Buffer.alloc(size, 'x');
      await client.sendMessage(data);
      const echo = await client.nextMessage();
      assert.ok(echo?.data.equals(data));
      assert.equal(echo?.compressed, size >= 1024, `${size} bytes`);
      // A client may send any message uncompressed on a compressed connection (RFC 7692 §6).
      await client.sendMessage(data, { compress: false });
      assert.ok((await client.nextMessage())?.data.equals(data));
    }
    assert.equal(await client.close(), 1000);
  });
});

/** Autobahn's section 13 offers: its client always accepts both hints and asks for the server's settings. */
const SECTION_13: Array<[string, string]> = [
  ['13.1', 'permessage-deflate; client_max_window_bits; client_no_context_takeover'],
  [
    '13.2',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_no_context_takeover',
  ],
  [
    '13.3',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_max_window_bits=8',
  ],
  [
    '13.4',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_max_window_bits=15',
  ],
  [
    '13.5',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_max_window_bits=8; server_no_context_takeover',
  ],
  [
    '13.6',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_max_window_bits=15; server_no_context_takeover',
  ],
  [
    '13.7',
    'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_max_window_bits=8; server_no_context_takeover, ' +
      'permessage-deflate; client_max_window_bits; client_no_context_takeover; server_no_context_takeover, ' +
      'permessage-deflate; client_max_window_bits; client_no_context_takeover',
  ],
  // And the client-side parameters, which Autobahn's server-testing client leaves as hints.
  ['client takeover kept', 'permessage-deflate'],
  ['client window 9', 'permessage-deflate; client_max_window_bits=9'],
  ['client window 8', 'permessage-deflate; client_max_window_bits=8; server_max_window_bits=9'],
];

describe('permessage-deflate on the wire: section 13, every offer and server setting', () => {
  for (const [name, offer] of SECTION_13) {
    for (const path of ['/all', '/server-nct', '/client-nct', '/server-bits-9', '/server-bits-8', '/small']) {
      it(`${name} against ${path}: the agreed parameters hold both ways`, async () => {
        const expected = negotiateDeflate(offer, SERVER_OPTIONS[path]!);
        const client = await DeflateClient.connect(running.port, path, offer);
        assert.equal(client.extensions, expected?.responseValue ?? '');
        // /small requires client_max_window_bits, which this offer lacks: declined, nothing to echo.
        if (expected !== null) await echoAll(client, [1, 3], [16, 1024, 16_384, 131_072]);
        assert.equal(await client.close(), 1000);
      });
    }
  }

  it('answers client_max_window_bits only when offered: a server limit declines an offer without it', async () => {
    const declined = await DeflateClient.connect(running.port, '/client-bits-10', 'permessage-deflate');
    assert.equal(declined.extensions, '');
    await declined.sendMessage(Buffer.from('plain'), { compress: false });
    const echo = await declined.nextMessage();
    assert.equal(echo?.compressed, false);
    assert.equal(echo.data.toString(), 'plain');
    assert.equal(await declined.close(), 1000);
    const held = await DeflateClient.connect(
      running.port,
      '/client-bits-10',
      'permessage-deflate; client_max_window_bits',
    );
    assert.equal(held.extensions, 'permessage-deflate; client_max_window_bits=10');
    await echoAll(held, [1], [131_072]);
    assert.equal(await held.close(), 1000);
  });
});

describe('permessage-deflate on the wire: failures', () => {
  it('answers a malformed Sec-WebSocket-Extensions with 400, not a WebSocket', async () => {
    await assert.rejects(
      DeflateClient.connect(running.port, '/all', 'permessage-deflate; server_max_window_bits="1'),
      /no 101: HTTP\/1.1 400 /,
    );
  });

  it('runs uncompressed when the server does not compress: RSV1 is then a protocol error (1002)', async () => {
    const client = await DeflateClient.connect(running.port, '/off', 'permessage-deflate');
    assert.equal(client.extensions, '');
    await client.sendMessage(Buffer.from('x'.repeat(2000)));
    assert.equal(await client.closeCode(), 1002);
    client.destroy();
  });

  it('closes with 1002 for RSV1 on a continuation frame or a control frame (RFC 7692 §6.1)', async () => {
    for (const frames of [
      [
        { fin: false, rsv1: true, opcode: OP.binary, payload: Buffer.alloc(0) },
        { fin: true, rsv1: true, opcode: OP.continuation, payload: Buffer.from([0x00]) },
      ],
      [{ fin: true, rsv1: true, opcode: OP.ping, payload: Buffer.alloc(0) }],
    ]) {
      const client = await DeflateClient.connect(running.port, '/all', 'permessage-deflate');
      for (const frame of frames) client.sendFrame(frame);
      assert.equal(await client.closeCode(), 1002);
      client.destroy();
    }
  });

  it('closes with 1007 for compressed data that does not inflate', async () => {
    const client = await DeflateClient.connect(running.port, '/all', 'permessage-deflate');
    client.sendFrame({
      fin: true,
      rsv1: true,
      opcode: OP.binary,
      payload: Buffer.from([0xff, 0xff, 0xff, 0xff]),
    });
    assert.equal(await client.closeCode(), 1007);
    client.destroy();
  });

  it('closes with 1007 for a compressed text message that inflates to bad UTF-8', async () => {
    const client = await DeflateClient.connect(running.port, '/all', 'permessage-deflate');
    await client.sendMessage(Buffer.from([0x61, 0xc3, 0x28]), { opcode: OP.text, fragments: 2 });
    assert.equal(await client.closeCode(), 1007);
    client.destroy();
  });

  it('closes with 1009 for a deflate bomb, the server never holding much more than maxPayload', async () => {
    // 1 GiB of zeros in about 1 MiB of frames (under maxPayload on the wire), sent by a raw client: no real
    // compressor is asked to make it.
    const zlib = await import('node:zlib');
    const piece = zlib.deflateRawSync(Buffer.alloc(64 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const bomb = Buffer.concat(Array.from({ length: 16 }, () => piece)).subarray(0, -4);
    const client = await DeflateClient.connect(running.port, '/all', 'permessage-deflate');
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
    for (let at = 0; at < bomb.length; at += 256 * 1024) {
      const last = at + 256 * 1024 >= bomb.length;
      client.sendFrame({
        fin: last,
        rsv1: at === 0,
        opcode: at === 0 ? OP.binary : OP.continuation,
        payload: bomb.subarray(at, at + 256 * 1024),
      });
    }
    const code = await client.closeCode();
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(code, 1009);
    // The client's own buffers count too (they are in this process): the bound is loose, 1 GiB is far.
    assert.ok(
      peak - before < 8 * MAX_PAYLOAD + 64 * MiB,
      `RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`,
    );
    client.destroy();
  });
});

/** The ws client's settings, each making it offer (and hold to) a different configuration. */
const WS_OPTIONS: WebSocketClient.PerMessageDeflateOptions[] = [
  { threshold: 0 },
  { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true },
  { threshold: 0, serverMaxWindowBits: 8 },
  { threshold: 0, serverMaxWindowBits: 11, clientMaxWindowBits: 9 },
];

describe('permessage-deflate on the wire: the ws client', () => {
  for (const perMessageDeflate of WS_OPTIONS) {
    it(`echoes with ws perMessageDeflate ${JSON.stringify(perMessageDeflate)}`, async () => {
      const ws = new WebSocketClient(`ws://127.0.0.1:${running.port}/all`, { perMessageDeflate });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      assert.match(ws.extensions, /^permessage-deflate/);
      const messages = SIZES.flatMap((size) => payloads(size, size).map((p) => p.data));
      const echoes: Buffer[] = [];
      const done = new Promise<void>((resolve) =>
        ws.on('message', (data: Buffer) => {
          echoes.push(data);
          if (echoes.length === messages.length * 2) resolve();
        }),
      );
      // All sent at once, twice over: the server answers in order, compressed with its context.
      for (let round = 0; round < 2; round++) for (const m of messages) ws.send(m, { binary: true });
      await done;
      for (let i = 0; i < echoes.length; i++)
        assert.ok(echoes[i]!.equals(messages[i % messages.length]!), `message ${i}`);
      ws.close(1000);
      await new Promise((resolve) => ws.once('close', resolve));
    });
  }
});

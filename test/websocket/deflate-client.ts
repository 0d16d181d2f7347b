/**
 * A raw WebSocket client for the permessage-deflate tests: its own handshake, frames and zlib (DeflatePeer),
 * so the server is checked against an independent reading of RFC 6455 and RFC 7692, byte by byte.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { DeflatePeer } from './deflate-peer.js';

/** One frame off the wire (server frames are never masked). */
export interface Frame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** A message reassembled from its frames, inflated when it came compressed. */
export interface Message {
  opcode: number;
  data: Buffer;
  compressed: boolean;
  /** How many frames it came in. */
  frames: number;
}

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export class DeflateClient {
  private buffered = Buffer.alloc(0);
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(
    readonly socket: net.Socket,
    /** The Sec-WebSocket-Extensions the server answered ('' for none). */
    readonly extensions: string,
    /** This end's zlib, set up for what was agreed. */
    readonly peer: DeflatePeer,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /**
   * Opens a WebSocket to `path` offering `offer` as Sec-WebSocket-Extensions (none when undefined). This
   * end's zlib then keeps to what the server answered: it inflates with exactly the server's window (so a
   * server compressing wider fails the test) and compresses as the client parameters demand.
   */
  static async connect(port: number, path: string, offer: string | undefined): Promise<DeflateClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        (offer === undefined ? '' : `Sec-WebSocket-Extensions: ${offer}\r\n`) +
        '\r\n',
    );
    let head = Buffer.alloc(0);
    for (;;) {
      const chunk = await new Promise<Buffer>((resolve, reject) => {
        socket.once('data', resolve);
        socket.once('close', () => reject(new Error(`closed during the handshake: ${head.toString()}`)));
      });
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) continue;
      const text = head.subarray(0, end).toString('latin1');
      if (!text.startsWith('HTTP/1.1 101 ')) throw new Error(`no 101: ${text}`);
      const extensions = /^sec-websocket-extensions: *(.*)$/im.exec(text)?.[1]?.trim() ?? '';
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      const bits = (name: string): number | undefined => {
        const value = new RegExp(`${name}=(\\d+)`).exec(extensions)?.[1];
        return value === undefined ? undefined : Number(value);
      };
      const peer = new DeflatePeer({
        // zlib's raw deflate has no 8-bit window; its 9-bit one never reaches back past 250 bytes.
        deflateBits: Math.max(bits('client_max_window_bits') ?? 15, 9),
        inflateBits: bits('server_max_window_bits') ?? 15,
        noContextTakeover: extensions.includes('client_no_context_takeover'),
      });
      const client = new DeflateClient(socket, extensions, peer);
      client.buffered = head.subarray(end + 4);
      client.parse();
      return client;
    }
  }

  /** Sends one masked frame as given (RSV1 as the test wants it, valid or not). */
  sendFrame(frame: Frame): void {
    const { payload } = frame;
    const extra = payload.length < 126 ? 0 : payload.length < 65_536 ? 2 : 8;
    const head = Buffer.alloc(2 + extra + 4);
    head[0] = (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | frame.opcode;
    if (extra === 0) head[1] = 0x80 | payload.length;
    else if (extra === 2) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(payload.length, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const mask = randomBytes(4);
    mask.copy(head, 2 + extra);
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(Buffer.concat([head, masked]));
  }

  /**
   * Sends a message, compressed with this end's zlib or not, in `fragments` frames of about equal size
   * (RSV1 on the first only, RFC 7692 §6.1); a ping between fragments when `pingBetween`.
   */
  async sendMessage(
    data: Buffer,
    {
      opcode = OP.binary,
      compress = true,
      fragments = 1,
      pingBetween = false,
    }: { opcode?: number; compress?: boolean; fragments?: number; pingBetween?: boolean } = {},
  ): Promise<void> {
    const payload = compress ? await this.peer.deflate(data) : data;
    const step = Math.max(1, Math.ceil(payload.length / fragments));
    let at = 0;
    do {
      const piece = payload.subarray(at, at + step);
      const first = at === 0;
      at += step;
      this.sendFrame({
        fin: at >= payload.length,
        rsv1: compress && first,
        opcode: first ? opcode : OP.continuation,
        payload: piece,
      });
      if (pingBetween && at < payload.length)
        this.sendFrame({ fin: true, rsv1: false, opcode: OP.ping, payload: Buffer.from('p') });
    } while (at < payload.length);
  }

  /** The next frame from the server; null once the connection closed with no frame left. */
  async nextFrame(): Promise<Frame | null> {
    while (this.frames.length === 0) {
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    return this.frames.shift()!;
  }

  /** The next data message (pongs skipped), inflated when RSV1 said so; a close frame comes back as itself. */
  async nextMessage(): Promise<Message | null> {
    const parts: Buffer[] = [];
    let first: Frame | null = null;
    let frames = 0;
    for (;;) {
      const frame = await this.nextFrame();
      if (frame === null) return null;
      if (frame.opcode === OP.pong) continue;
      if (frame.opcode === OP.close)
        return { opcode: OP.close, data: frame.payload, compressed: false, frames: 1 };
      first ??= frame;
      frames++;
      parts.push(frame.payload);
      if (!frame.fin) continue;
      const joined = Buffer.concat(parts);
      const data = first.rsv1 ? await this.peer.inflate(joined) : joined;
      return { opcode: first.opcode, data, compressed: first.rsv1, frames };
    }
  }

  /** Waits for the server's close frame (data frames before it are skipped): its code, or null if none came. */
  async closeCode(): Promise<number | null> {
    for (;;) {
      const frame = await this.nextFrame();
      if (frame === null) return null;
      if (frame.opcode === OP.close) return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
    }
  }

  /** Close handshake from this end: sends 1000 and waits for the server's answer and its FIN. */
  async close(): Promise<number | null> {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    this.sendFrame({ fin: true, rsv1: false, opcode: OP.close, payload });
    const code = await this.closeCode();
    this.socket.end();
    this.peer.close();
    return code;
  }

  /** Cuts the connection without a close handshake. */
  destroy(): void {
    this.socket.destroy();
    this.peer.close();
  }

  private parse(): void {
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) break;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) break;
      this.frames.push({
        fin: (b[0]! & 0x80) !== 0,
        rsv1: (b[0]! & 0x40) !== 0,
        opcode: b[0]! & 0x0f,
        payload: b.subarray(offset, offset + length),
      });
      this.buffered = b.subarray(offset + length);
    }
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/**
 * The raw test client (raw-client.ts) with a zlib of its own (DeflatePeer) for the permessage-deflate
 * tests: it compresses what it sends and inflates what it gets as the server's answer says, so the server
 * is checked against an independent reading of RFC 7692.
 */
import { Opcode } from '../../src/protocol/websocket/opcodes.js';
import { DeflatePeer } from './deflate-peer.js';
import { RawClient, frame, type ReadFrame } from './raw-client.js';

/** A message reassembled from its frames, inflated when it came compressed. */
export interface Message {
  opcode: number;
  data: Buffer;
  compressed: boolean;
}

/** One frame to send: RSV1 as the test wants it, valid or not. */
export interface SendFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

const RSV1 = 4;

export class DeflateClient {
  private constructor(
    readonly raw: RawClient,
    /** The Sec-WebSocket-Extensions the server answered ('' for none). */
    readonly extensions: string,
    /** This end's zlib, set up for what was agreed. */
    readonly peer: DeflatePeer,
  ) {}

  /**
   * Opens a WebSocket to `path` offering `offer` as Sec-WebSocket-Extensions (none when undefined). This
   * end's zlib then keeps to what the server answered: it inflates with exactly the server's window (so a
   * server compressing wider fails the test) and compresses as the client parameters demand.
   */
  static async connect(port: number, path: string, offer: string | undefined): Promise<DeflateClient> {
    const raw = await RawClient.open(
      port,
      path,
      offer === undefined ? {} : { 'Sec-WebSocket-Extensions': offer },
    );
    if (!raw.head.startsWith('HTTP/1.1 101 ')) {
      raw.destroy();
      throw new Error(`no 101: ${raw.head}`);
    }
    const extensions = /^sec-websocket-extensions: *(.*)$/im.exec(raw.head)?.[1]?.trim() ?? '';
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
    return new DeflateClient(raw, extensions, peer);
  }

  /** Sends one masked frame as given. */
  sendFrame(f: SendFrame): void {
    this.raw.socket.write(frame(f.opcode, f.payload, { fin: f.fin, rsv: f.rsv1 ? RSV1 : 0 }));
  }

  /**
   * Sends a message, compressed with this end's zlib or not, in `fragments` frames of about equal size
   * (RSV1 on the first only, RFC 7692 §6.1); a ping between fragments when `pingBetween`.
   */
  async sendMessage(
    data: Buffer,
    {
      opcode = Opcode.Binary,
      compress = true,
      fragments = 1,
      pingBetween = false,
    }: { opcode?: number; compress?: boolean; fragments?: number; pingBetween?: boolean } = {},
  ): Promise<void> {
    const payload = compress ? await this.peer.deflate(data) : data;
    const step = Math.max(1, Math.ceil(payload.length / fragments));
    let at = 0;
    do {
      const first = at === 0;
      const piece = payload.subarray(at, at + step);
      at += step;
      this.sendFrame({
        fin: at >= payload.length,
        rsv1: compress && first,
        opcode: first ? opcode : Opcode.Continuation,
        payload: piece,
      });
      if (pingBetween && at < payload.length) {
        this.sendFrame({ fin: true, rsv1: false, opcode: Opcode.Ping, payload: Buffer.from('p') });
      }
    } while (at < payload.length);
  }

  /** The next data message (pongs skipped), inflated when RSV1 said so; a close frame comes back as itself. */
  async nextMessage(): Promise<Message> {
    const parts: Buffer[] = [];
    let first: ReadFrame | null = null;
    for (;;) {
      const f = await this.raw.next();
      if (f.opcode === Opcode.Pong) continue;
      if (f.opcode === Opcode.Close) return { opcode: Opcode.Close, data: f.payload, compressed: false };
      first ??= f;
      parts.push(f.payload);
      if (!f.fin) continue;
      const joined = Buffer.concat(parts);
      const compressed = (first.rsv & RSV1) !== 0;
      return {
        opcode: first.opcode,
        data: compressed ? await this.peer.inflate(joined) : joined,
        compressed,
      };
    }
  }

  /** Waits for the server's close frame (data frames before it are skipped): its code, or 1005 for none. */
  async closeCode(): Promise<number> {
    for (;;) {
      const f = await this.raw.next();
      if (f.opcode === Opcode.Close) return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
    }
  }

  /** Close handshake from this end: sends 1000 and waits for the server's answer. */
  async close(): Promise<number> {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    this.sendFrame({ fin: true, rsv1: false, opcode: Opcode.Close, payload });
    const code = await this.closeCode();
    this.destroy();
    return code;
  }

  /** Cuts the connection (after the test has what it wanted). */
  destroy(): void {
    this.raw.destroy();
    this.peer.close();
  }
}

/**
 * A WebSocket client for tests that writes raw bytes: masked (or not) frames with any bits set, sent whole,
 * in pieces or a byte at a time, and reads the server's frames back with a parser of its own (not the
 * server's, so the server is not graded by its own code).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

/** One frame as the server sent it. */
export interface ReadFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Options of a raw frame; by default a final, masked frame with RSV bits clear. */
export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** The length to declare instead of the payload's (a header promising more than is sent). */
  length?: number;
}

/** A frame's bytes, masked with a random key as a client must. */
export function frame(opcode: number, payload: Buffer | string = '', options: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const { fin = true, rsv = 0, mask = true, length = data.length } = options;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 0x10000) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A close frame's payload: the code (2 bytes) and a reason. */
export function closeBody(code: number, reason: string | Buffer = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

/** A handshake request's bytes. */
export function handshake(path = '/', extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  const lines = Object.entries(fields)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** A connection that has done the opening handshake, or tried: its response head and what came after. */
export class RawClient {
  /** The response head, up to the blank line. */
  head = '';
  /** Set when the server ended its side (a FIN): true before any error/close of ours. */
  serverEnded = false;
  closed = false;
  /** What arrived and was not read yet, in pieces: joined only once a whole frame is there (16 MiB echoes). */
  private chunks: Buffer[] = [];
  private size = 0;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.wake();
    });
    socket.on('end', () => {
      this.serverEnded = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Connects, sends the handshake and waits for the response head. */
  static async open(
    port: number,
    path = '/',
    extra: Record<string, string> = {},
    secure = false,
  ): Promise<RawClient> {
    const socket = secure
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once(secure ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    socket.write(handshake(path, extra));
    await client.until(() => client.joined().indexOf('\r\n\r\n') >= 0, 'a response head');
    const bytes = client.joined();
    const end = bytes.indexOf('\r\n\r\n');
    client.head = bytes.subarray(0, end).toString('latin1');
    client.take(end + 4);
    return client;
  }

  /** Sends bytes: each piece its own write, the event loop turning between them. */
  async send(...pieces: Buffer[]): Promise<void> {
    for (const piece of pieces) {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      this.socket.write(piece);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Sends `bytes` one byte per write. */
  sendBytewise(bytes: Buffer): Promise<void> {
    return this.send(...[...bytes].map((b) => Buffer.from([b])));
  }

  /** The next frame the server sends; rejects after `ms`, or when the connection ends first. */
  async next(ms = 5000): Promise<ReadFrame> {
    await this.until(() => this.frameArrived() || this.serverEnded || this.closed, 'a frame', ms);
    const parsed = this.frameArrived() ? parseFrame(this.joined()) : null;
    if (parsed === null) throw new Error(`connection ended with no frame (${this.size} bytes left)`);
    this.take(parsed.size);
    return parsed.frame;
  }

  /** Waits for the server to end the TCP connection; true when it did (rather than a timeout). */
  async serverClosed(ms = 5000): Promise<boolean> {
    try {
      await this.until(() => this.serverEnded || this.closed, 'the end of the connection', ms);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether nothing more than `bytes` buffered: for checks that the server sent nothing else. */
  get pendingBytes(): number {
    return this.size;
  }

  /** Whether a whole frame is buffered, found from its header alone. */
  private frameArrived(): boolean {
    const head =
      this.chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat(this.chunks.slice(0, 14)).subarray(0, 14);
    const size = frameSize(head);
    return size >= 0 && this.size >= size;
  }

  /** Everything buffered, as one Buffer. */
  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }

  /** Drops the first `n` bytes. */
  private take(n: number): void {
    const rest = this.joined().subarray(n);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.size = rest.length;
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private until(test: () => boolean, what: string, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const check = (): void => {
        if (test()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

/** The size of the frame whose header starts `head`, or -1 while the header is incomplete. */
function frameSize(head: Buffer): number {
  if (head.length < 2) return -1;
  const b1 = head[1]!;
  const code = b1 & 0x7f;
  const lengthBytes = code === 126 ? 2 : code === 127 ? 8 : 0;
  const at = 2 + lengthBytes + ((b1 & 0x80) !== 0 ? 4 : 0);
  if (head.length < 2 + lengthBytes) return -1;
  const length = code === 126 ? head.readUInt16BE(2) : code === 127 ? Number(head.readBigUInt64BE(2)) : code;
  return at + length;
}

/** One frame from the front of `bytes`, or null when it is not all there yet. */
export function parseFrame(bytes: Buffer): { frame: ReadFrame; size: number } | null {
  if (bytes.length < 2) return null;
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  let length = b1 & 0x7f;
  let at = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = bytes.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    length = Number(bytes.readBigUInt64BE(2));
    at = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  if (masked) at += 4;
  if (bytes.length < at + length) return null;
  const payload = Buffer.from(bytes.subarray(at, at + length));
  if (masked) {
    const key = bytes.subarray(at - 4, at);
    for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
  }
  return {
    frame: { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0xf, masked, payload },
    size: at + length,
  };
}

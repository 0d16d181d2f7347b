import { CloseCode } from './close-codes.js';
import { FIN, RSV1 } from './frame-header.js';
import { applyMask } from './mask.js';
import { Opcode, isControl } from './opcodes.js';

/** Which end reads: a server reads a client's frames, which must be masked; a client's must not be. */
export type FrameRole = 'server' | 'client';

/** What a FrameReader reports to the socket that feeds it. */
export interface FrameSink {
  /** A frame header was read and passed the frame rules; its fields are on the reader. */
  frameStart(reader: FrameReader): void;
  /**
   * The next piece of the frame's payload, unmasked in place (a piece that arrived whole is a view of the
   * chunk given to `push`, not a copy); `last` on the frame's final piece. An empty frame gives one empty last piece.
   */
  framePayload(data: Buffer, last: boolean): void;
  /** The peer broke a frame rule: fail the connection with `closeCode` (1002). The reader reads no more. */
  frameError(closeCode: number, message: string): void;
}

const EMPTY = Buffer.alloc(0);
/** The longest header: 2 bytes, a 64-bit length, a mask key. */
const MAX_HEADER = 14;

/**
 * Reads WebSocket frames (RFC 6455 §5) from a byte stream in pieces of any size, down to one byte at a
 * time, and checks every rule a frame alone can break: masking for the role, reserved opcodes, RSV bits
 * (RSV1 only on the first frame of a data message, and only with an extension that defines it), control
 * frames of at most 125 bytes and never fragmented, continuation frames only inside a fragmented message
 * and no new message inside one, a 64-bit length with its top bit clear. What the payload means (UTF-8,
 * close codes, size limits) is the caller's.
 */
export class FrameReader {
  /** The current frame's FIN bit. */
  fin = false;
  /** Whether the current frame has RSV1 set (a compressed message's first frame). */
  rsv1 = false;
  /** The current frame's opcode. */
  opcode = 0;
  /** The current frame's payload length. */
  payloadLength = 0;

  private readonly header = Buffer.alloc(MAX_HEADER);
  private headerBytes = 0;
  private readonly mask = new Uint8Array(4);
  private masked = false;
  private inPayload = false;
  private remaining = 0;
  private maskPhase = 0;
  /** Inside a data message whose last frame has not come yet. */
  private fragmented = false;
  private failed = false;
  private paused = false;
  private held: Buffer[] = [];

  constructor(
    private readonly sink: FrameSink,
    private readonly role: FrameRole,
    /** Whether a negotiated extension (permessage-deflate) gives RSV1 a meaning. */
    private readonly rsv1Allowed = false,
  ) {}

  /** Reads the next bytes of the stream. Bytes given while paused, or after a frame error, are held or dropped. */
  push(chunk: Buffer): void {
    if (this.failed) return;
    if (this.paused) {
      this.held.push(chunk);
      return;
    }
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      if (!this.inPayload) {
        pos = this.readHeader(chunk, pos);
        if (pos < 0 || this.failed) return;
        if (this.remaining === 0) {
          this.inPayload = false;
          this.sink.framePayload(EMPTY, true);
          if (this.stopped(chunk, pos)) return;
          continue;
        }
      }
      const n = Math.min(this.remaining, length - pos);
      const piece = n === length ? chunk : chunk.subarray(pos, pos + n);
      if (this.masked) applyMask(piece, this.mask, this.maskPhase);
      this.maskPhase = (this.maskPhase + n) & 3;
      this.remaining -= n;
      pos += n;
      const last = this.remaining === 0;
      if (last) this.inPayload = false;
      this.sink.framePayload(piece, last);
      if (this.stopped(chunk, pos)) return;
    }
  }

  /** Holds further frames (the caller waits on an asynchronous step, as inflating) until `resume`. */
  pause(): void {
    this.paused = true;
  }

  /** Reads on, starting with the bytes held while paused. */
  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      if (this.paused) {
        // Paused again: what is left of the pieces follows the rest of the one being read, in order.
        for (let j = i; j < held.length; j++) this.held.push(held[j]!);
        return;
      }
      this.push(held[i]!);
    }
  }

  /** Stops reading for good: the connection is closing and what follows is not read. */
  stop(): void {
    this.failed = true;
    this.held = [];
  }

  /** After a sink call: whether to stop this chunk, holding its rest when the sink paused. */
  private stopped(chunk: Buffer, pos: number): boolean {
    if (this.failed) return true;
    if (!this.paused) return false;
    if (pos < chunk.length) this.held.push(chunk.subarray(pos));
    return true;
  }

  /** Reads a header from `chunk` at `pos`; returns where its payload starts, or -1 when more bytes are needed. */
  private readHeader(chunk: Buffer, pos: number): number {
    const available = chunk.length - pos;
    if (this.headerBytes === 0 && available >= 2) {
      const size = headerSize(chunk[pos + 1]!);
      if (available >= size) {
        this.parseHeader(chunk, pos);
        return pos + size;
      }
    }
    const header = this.header;
    while (pos < chunk.length) {
      header[this.headerBytes++] = chunk[pos++]!;
      if (this.headerBytes >= 2 && this.headerBytes === headerSize(header[1]!)) {
        this.headerBytes = 0;
        this.parseHeader(header, 0);
        return pos;
      }
    }
    return -1;
  }

  private parseHeader(src: Buffer, at: number): void {
    const b0 = src[at]!;
    const b1 = src[at + 1]!;
    const opcode = b0 & 0x0f;
    const fin = (b0 & FIN) !== 0;
    const rsv = b0 & 0x70;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    if (masked !== (this.role === 'server')) {
      return this.fail(masked ? 'a server frame must not be masked' : 'a client frame must be masked');
    }
    if (isControl(opcode)) {
      if (opcode > Opcode.Pong) return this.fail(`reserved opcode ${opcode}`);
      if (!fin) return this.fail('a control frame cannot be fragmented');
      if (length > 125) return this.fail('a control frame carries at most 125 bytes');
      if (rsv !== 0) return this.fail('RSV bits set on a control frame');
    } else if (opcode === Opcode.Continuation) {
      if (!this.fragmented) return this.fail('a continuation frame without a message to continue');
      if (rsv !== 0) return this.fail('RSV bits set on a continuation frame');
      this.fragmented = !fin;
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.fragmented) return this.fail('a new message before the fragmented one ended');
      if ((rsv & ~RSV1) !== 0 || (rsv !== 0 && !this.rsv1Allowed)) {
        return this.fail('RSV bits set without an extension that defines them');
      }
      this.fragmented = !fin;
    } else {
      return this.fail(`reserved opcode ${opcode}`);
    }
    let next = at + 2;
    if (length === 126) {
      length = src.readUInt16BE(next);
      next += 2;
    } else if (length === 127) {
      const high = src.readUInt32BE(next);
      if (high >= 0x80000000) return this.fail('a 64-bit payload length with its top bit set');
      length = high * 0x100000000 + src.readUInt32BE(next + 4);
      next += 8;
    }
    if (masked) {
      const mask = this.mask;
      mask[0] = src[next]!;
      mask[1] = src[next + 1]!;
      mask[2] = src[next + 2]!;
      mask[3] = src[next + 3]!;
    }
    this.fin = fin;
    this.rsv1 = rsv !== 0;
    this.opcode = opcode;
    this.payloadLength = length;
    this.masked = masked;
    this.remaining = length;
    this.maskPhase = 0;
    this.inPayload = true;
    this.sink.frameStart(this);
  }

  private fail(message: string): void {
    this.stop();
    this.sink.frameError(CloseCode.ProtocolError, message);
  }
}

/** A header's full size from its second byte: 2, plus the extended length, plus the mask key. */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  const size = length < 126 ? 2 : length === 126 ? 4 : 10;
  return (b1 & 0x80) !== 0 ? size + 4 : size;
}

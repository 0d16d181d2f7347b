import { ProtocolError } from '../protocol/errors.js';
import type { Headers } from '../protocol/headers.js';
import type { ResponseHead } from '../protocol/response-reader.js';
import type { HTTPConnection } from './connection.js';
import { IncompleteRead } from './errors.js';

/**
 * Python's `http.client.HTTPResponse`: status, reason and headers at once; the body read on demand with
 * `read()`, `read(n)` or `for await`, straight off the connection (nothing is allocated for a declared
 * length up front, so a lying Content-Length costs nothing).
 */
export class HTTPResponse implements AsyncIterable<Buffer> {
  readonly status: number;
  readonly reason: string;
  /** 11 for HTTP/1.1, 10 for HTTP/1.0, as Python's `version`. */
  readonly version: number;
  readonly headers: Headers;
  private held: Buffer | null = null;
  private done: boolean;

  constructor(
    private readonly head: ResponseHead,
    private readonly connection: HTTPConnection,
  ) {
    this.status = head.status;
    this.reason = head.reason;
    this.version = head.versionMinor === 0 ? 10 : 11;
    this.headers = head.headers;
    this.done = head.framing.kind === 'none';
  }

  /** A header's value (repeated fields joined with `, `), or `fallback`. */
  getheader(name: string, fallback: string | null = null): string | null {
    const all = this.headers.getAll(name);
    return all.length === 0 ? fallback : all.join(', ');
  }

  /** All header fields as [name, value] pairs, in order. */
  getheaders(): Array<[string, string]> {
    return [...this.headers];
  }

  /** Whether the body has been read to its end. */
  isclosed(): boolean {
    return this.done && this.held === null;
  }

  private async piece(): Promise<Buffer | null> {
    if (this.held !== null) {
      const held = this.held;
      this.held = null;
      return held;
    }
    if (this.done) return null;
    try {
      const piece = await this.connection.nextBodyPiece(this.head);
      if (piece === null) this.done = true;
      return piece;
    } catch (err) {
      this.done = true;
      if (err instanceof ProtocolError) throw new IncompleteRead(Buffer.alloc(0), null);
      throw err;
    }
  }

  /** Reads the rest of the body, or at most `amt` bytes (fewer only at the end). */
  async read(amt?: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    while (amt === undefined || size < amt) {
      let piece: Buffer | null;
      try {
        piece = await this.piece();
      } catch (err) {
        if (err instanceof IncompleteRead) throw new IncompleteRead(Buffer.concat(parts), null);
        throw err;
      }
      if (piece === null) break;
      if (amt !== undefined && size + piece.length > amt) {
        this.held = piece.subarray(amt - size);
        piece = piece.subarray(0, amt - size);
      }
      parts.push(piece);
      size += piece.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.piece(); piece !== null; piece = await this.piece()) yield piece;
  }
}

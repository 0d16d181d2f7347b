import { ParseError } from '../protocol/errors.js';
import type { Headers } from '../protocol/headers.js';
import { BODY_END } from '../protocol/message-reader.js';
import type { ResponseHead } from '../protocol/response-reader.js';
import type { ClientSocket } from './client-socket.js';
import { ConnectionFailed, IncompleteRead } from './errors.js';
import { responseError } from './response-error.js';

const EMPTY = Buffer.alloc(0);

/**
 * Python's `http.client.HTTPResponse`: status, reason and headers at once; the body read on demand with
 * `read()`, `read(n)`, `for await`, `text()`, `json()` or `arrayBuffer()`, straight off the connection (nothing
 * is allocated for a declared length up front, so a lying Content-Length costs nothing). Bytes already
 * received are taken without waiting, so a small body costs no extra turn of the event loop.
 */
export class HTTPResponse implements AsyncIterable<Buffer> {
  /** The status code, e.g. 200. */
  readonly status: number;
  /** The reason phrase as the server sent it, as Python's `reason`. */
  readonly reason: string;
  /** 11 for HTTP/1.1, 10 for HTTP/1.0, as Python's `version`. */
  readonly version: number;
  /** Response fields, case-insensitive, as Python's `headers`. */
  readonly headers: Headers;
  /** Trailer fields of a chunked body, once it has been read to its end (null if it had none). */
  trailers: Headers | null = null;
  private held: Buffer | null = null;
  private done: boolean;
  /** Body bytes taken from the connection so far. */
  private received = 0;

  constructor(
    private readonly head: ResponseHead,
    private readonly socket: ClientSocket,
  ) {
    this.status = head.status;
    this.reason = head.reason;
    this.version = head.versionMinor === 0 ? 10 : 11;
    this.headers = head.headers;
    this.done = head.framing.kind === 'none';
  }

  /** The reason phrase, under the name fetch and undici use. */
  get statusText(): string {
    return this.reason;
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

  /** Whether the body has been read to its end (or given up with `close()`). */
  isclosed(): boolean {
    return this.done && this.held === null;
  }

  /**
   * Bytes of the body that have arrived (a view that stays valid), null when none are there yet (see
   * `whenReadable`), or BODY_END: the step `fetch()`'s web stream takes without a promise per piece.
   */
  readAvailable(): Buffer | null | typeof BODY_END {
    const held = this.held;
    if (held !== null) {
      this.held = null;
      return held;
    }
    if (this.done) return BODY_END;
    let piece;
    try {
      piece = this.socket.readBody();
    } catch (err) {
      this.done = true;
      const framing = this.head.framing;
      const expected = framing.kind === 'length' ? framing.length - this.received : null;
      if (err instanceof ParseError) throw responseError(err, 'body', expected);
      // The connection failed mid-body (a reset): what arrived is kept, the socket's error is the cause.
      if (err instanceof ConnectionFailed) throw new IncompleteRead(EMPTY, expected, err);
      throw err;
    }
    if (piece === BODY_END) {
      this.done = true;
      this.trailers = this.socket.trailers;
    } else if (piece !== null) {
      this.received += piece.length;
    }
    return piece;
  }

  /** Resolves once `readAvailable` has something new to say: bytes, the end, or a failure. */
  whenReadable(): Promise<void> {
    return new Promise((resolve) => this.socket.waitForBody(resolve));
  }

  /** Reads the rest of the body, or at most `amt` bytes (fewer only at the end). */
  async read(amt?: number): Promise<Buffer> {
    let first: Buffer | null = null;
    let parts: Buffer[] | null = null;
    let size = 0;
    while (amt === undefined || size < amt) {
      let piece;
      try {
        piece = this.readAvailable();
      } catch (err) {
        if (!(err instanceof IncompleteRead)) throw err;
        const partial = parts !== null ? Buffer.concat(parts, size) : (first ?? EMPTY);
        throw new IncompleteRead(partial, err.expected, err.cause as Error);
      }
      if (piece === BODY_END) break;
      if (piece === null) {
        await this.whenReadable();
        continue;
      }
      if (amt !== undefined && size + piece.length > amt) {
        this.held = piece.subarray(amt - size);
        piece = piece.subarray(0, amt - size);
      }
      if (first === null) first = piece;
      else (parts ??= [first]).push(piece);
      size += piece.length;
    }
    return parts !== null ? Buffer.concat(parts, size) : (first ?? EMPTY);
  }

  /** The whole body as bytes. */
  arrayBuffer(): Promise<Buffer> {
    return this.read();
  }

  /** The whole body as UTF-8 text. */
  async text(): Promise<string> {
    return (await this.read()).toString('utf8');
  }

  /** The whole body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse((await this.read()).toString('utf8')) as unknown;
  }

  /** Reads and discards the body, so the connection can carry the next request. */
  async dump(): Promise<void> {
    for (;;) {
      const piece = this.readAvailable();
      if (piece === BODY_END) return;
      if (piece === null) await this.whenReadable();
    }
  }

  /** Gives up on the rest of the body: the connection is closed, as it cannot carry another response. */
  close(): void {
    if (!this.done) this.socket.close();
    this.done = true;
    this.held = null;
  }

  /** Iterates over the body as it arrives; leaving the loop early closes the connection (see `close`). */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const piece = this.readAvailable();
        if (piece === BODY_END) return;
        if (piece === null) await this.whenReadable();
        else yield piece;
      }
    } finally {
      if (!this.isclosed()) this.close();
    }
  }
}

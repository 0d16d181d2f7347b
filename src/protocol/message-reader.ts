import { ProtocolError } from './errors.js';
import { knownFieldName } from './field-names.js';
import { Headers } from './headers.js';
import { FIELD_VALUE_BYTE, TCHAR } from './tokens.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

/** Size limits for one message head; each has a status a server answers with when it is exceeded. */
export interface HeadLimits {
  /** Longest start line (request line or status line), in bytes. */
  maxStartLineBytes: number;
  /** Largest field section (headers, or trailers), in bytes. */
  maxHeaderBytes: number;
  /** Most field lines in one section. */
  maxHeaderCount: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = {
  maxStartLineBytes: 8 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 100,
};

/** How a message's body is delimited (RFC 9112 §6.3), once its head is known. */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

export const NO_BODY: BodyFraming = { kind: 'none' };
export const CHUNKED: BodyFraming = { kind: 'chunked' };
export const UNTIL_CLOSE: BodyFraming = { kind: 'close' };

/** Returned by `readBody` once the whole body (and any trailer section) has been read. */
export const BODY_END: unique symbol = Symbol('BODY_END');

/** Longest chunk-size line we accept, extensions included; a longer one is an attack, not a chunk. */
const MAX_CHUNK_LINE_BYTES = 4096;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

/**
 * The part of HTTP/1.x reading that requests and responses share: an input buffer that accepts bytes split
 * anywhere, the search for the end of a head, field-line parsing, and body decoding (Content-Length, chunked,
 * or until close). Subclasses (the roles) parse the start line and decide the framing.
 *
 * It is pull-driven: the owner `push`es bytes as they arrive and calls `readHead` / `readBody` when it wants
 * the next piece, which is how the connection gets backpressure for free: bytes nobody asked for stay here.
 */
export abstract class MessageReader<H> {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private len = 0;
  /** Whether `buf` is ours, so bytes may be appended past `len` without touching slices handed out. */
  private owned = false;
  /** How many bytes after `pos` the head search already looked at, so a slow head is not rescanned. */
  private scanned = 0;
  /** Index of the first line end of the pending head, once found. */
  private startLineEnd = -1;
  private state = State.Head;
  private remaining = 0;
  private inputEnded = false;
  /** Trailer fields of the last chunked body, if it had any. */
  trailers: Headers | null = null;

  protected constructor(protected readonly limits: HeadLimits) {}

  /** Parses the start line; `end` excludes the line terminator. */
  protected abstract parseStartLine(buf: Buffer, start: number, end: number): void;

  /** Builds the head once all fields are in and returns it with the framing of its body. */
  protected abstract finishHead(headers: Headers): { head: H; framing: BodyFraming };

  /** A line that starts with whitespace continues the previous field (obs-fold); requests reject it. */
  protected abstract foldedLine(headers: Headers, value: string): void;

  /** The error for a start line over the limit: 414 for a request, a plain refusal for a response. */
  protected abstract startLineTooLong(): ProtocolError;

  /** Appends bytes from the peer. Never parses: parsing happens when the owner asks for the next piece. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos === this.len) {
      this.buf = chunk;
      this.pos = 0;
      this.len = chunk.length;
      this.owned = false;
      return;
    }
    const end = this.len + chunk.length;
    if (this.owned && end <= this.buf.length) {
      chunk.copy(this.buf, this.len);
      this.len = end;
      return;
    }
    // Grow geometrically so a head that arrives a byte at a time costs linear, not quadratic, copying.
    const keep = this.len - this.pos;
    const next = Buffer.allocUnsafe(Math.max(2 * (keep + chunk.length), 4096));
    this.buf.copy(next, 0, this.pos, this.len);
    chunk.copy(next, keep);
    if (this.startLineEnd >= 0) this.startLineEnd -= this.pos;
    this.buf = next;
    this.pos = 0;
    this.len = keep + chunk.length;
    this.owned = true;
  }

  /** Tells the reader the peer will send nothing more; a body delimited by close then ends. */
  endInput(): void {
    this.inputEnded = true;
  }

  /** Bytes received and not yet handed out. */
  get buffered(): number {
    return this.len - this.pos;
  }

  /** True when part of a next head has arrived (blank lines before it do not count, RFC 9112 §2.2). */
  get hasPartialHead(): boolean {
    if (this.state !== State.Head) return false;
    for (let i = this.pos; i < this.len; i++) {
      const c = this.buf[i];
      if (c !== CR && c !== LF) return true;
    }
    return false;
  }

  /** The start of the pending head's first line, for a log line about a head that was refused. */
  peekStartLine(max = 200): string {
    const buf = this.buf;
    let end = this.pos;
    const stop = Math.min(this.len, this.pos + max);
    while (end < stop && buf[end] !== LF && buf[end] !== CR) end++;
    return buf.toString('latin1', this.pos, end);
  }

  /**
   * The next message head, or null until all of it has arrived. Throws ProtocolError for a head that breaks
   * the grammar or a limit. Call only between messages (see `atHead`).
   */
  readHead(): H | null {
    const buf = this.buf;
    let pos = this.pos;
    const len = this.len;
    // Blank lines before a start line are ignored (RFC 9112 §2.2).
    if (this.scanned === 0) {
      while (pos < len) {
        const c = buf[pos];
        if (c === LF) pos++;
        else if (c !== CR) break;
        else if (pos + 1 === len)
          break; // a CR alone: wait to see whether an LF follows
        else if (buf[pos + 1] === LF) pos += 2;
        else break;
      }
      this.pos = pos;
      if (pos === len || (pos + 1 === len && buf[pos] === CR)) return null;
    }
    const limits = this.limits;
    let from = pos + this.scanned;
    let headEnd = -1;
    let blankLine = -1;
    for (;;) {
      const lf = buf.indexOf(LF, from);
      if (lf < 0 || lf >= len) {
        this.scanned = len - pos;
        this.checkIncompleteHead(len);
        return null;
      }
      if (this.startLineEnd < 0) {
        this.startLineEnd = lf;
        const lineEnd = lineContentEnd(buf, pos, lf);
        if (lineEnd - pos > limits.maxStartLineBytes) throw this.startLineTooLong();
        // Judged as soon as it is complete: a bad one (an HTTP/0.9 `GET /`) is refused without waiting for
        // a header section that may never come.
        this.parseStartLine(buf, pos, lineEnd);
      }
      const next = lf + 1;
      if (next >= len || (buf[next] === CR && next + 1 >= len)) {
        this.scanned = lf - pos;
        this.checkIncompleteHead(len);
        return null;
      }
      if (buf[next] === LF) {
        blankLine = next;
        headEnd = next + 1;
        break;
      }
      if (buf[next] === CR && buf[next + 1] === LF) {
        blankLine = next;
        headEnd = next + 2;
        break;
      }
      from = next;
    }
    const startLineEnd = this.startLineEnd;
    // The field lines with their line ends; the blank line that closes the section does not count.
    if (blankLine - startLineEnd - 1 > limits.maxHeaderBytes) {
      throw new ProtocolError(431, 'Request header fields too large');
    }
    const headers = new Headers();
    this.parseFields(buf, startLineEnd + 1, headEnd, headers);
    this.pos = headEnd;
    this.scanned = 0;
    this.startLineEnd = -1;
    const { head, framing } = this.finishHead(headers);
    this.trailers = null;
    switch (framing.kind) {
      case 'none':
        break;
      case 'length':
        if (framing.length > 0) {
          this.state = State.Length;
          this.remaining = framing.length;
        }
        break;
      case 'chunked':
        this.state = State.ChunkSize;
        break;
      case 'close':
        this.state = State.UntilClose;
        break;
    }
    return head;
  }

  private checkIncompleteHead(len: number): void {
    const limits = this.limits;
    // One byte more than the limit may be a CR still waiting for its LF.
    if (this.startLineEnd < 0) {
      if (len - this.pos > limits.maxStartLineBytes + 1) throw this.startLineTooLong();
    } else if (len - this.startLineEnd - 1 > limits.maxHeaderBytes + 1) {
      throw new ProtocolError(431, 'Request header fields too large');
    }
  }

  /** Parses field lines in [start, end), which ends with the blank line that closes the section. */
  private parseFields(buf: Buffer, start: number, end: number, headers: Headers): void {
    let lineStart = start;
    const maxCount = this.limits.maxHeaderCount;
    while (lineStart < end) {
      const lf = buf.indexOf(LF, lineStart);
      const lineEnd = lineContentEnd(buf, lineStart, lf);
      if (lineEnd === lineStart) break; // the blank line
      const first = buf[lineStart];
      if (first === SP || first === HTAB) {
        this.foldedLine(headers, trimmedValue(buf, lineStart, lineEnd));
      } else {
        if (headers.size >= maxCount) throw new ProtocolError(431, 'Too many header fields');
        parseFieldLine(buf, lineStart, lineEnd, headers);
      }
      lineStart = lf + 1;
    }
  }

  /**
   * The next piece of body: a Buffer (a view of received bytes, valid as long as the caller keeps it), null
   * when more input is needed, or BODY_END once the body is complete. Throws ProtocolError on bad chunking
   * and on input that ended before the body did.
   */
  readBody(): Buffer | null | typeof BODY_END {
    for (;;) {
      const avail = this.len - this.pos;
      switch (this.state) {
        case State.Head:
          return BODY_END;
        case State.Length:
        case State.ChunkData: {
          if (avail === 0) return this.needInput();
          const n = Math.min(avail, this.remaining);
          const piece = this.buf.subarray(this.pos, this.pos + n);
          this.pos += n;
          this.remaining -= n;
          if (this.remaining === 0)
            this.state = this.state === State.Length ? State.Head : State.ChunkDataEnd;
          return piece;
        }
        case State.UntilClose: {
          if (avail > 0) {
            const piece = this.buf.subarray(this.pos, this.len);
            this.pos = this.len;
            return piece;
          }
          if (!this.inputEnded) return null;
          this.state = State.Head;
          return BODY_END;
        }
        case State.ChunkSize:
          if (!this.readChunkSize()) return this.needInput();
          break;
        case State.ChunkDataEnd:
          if (avail < 2) return this.needInput();
          if (this.buf[this.pos] !== CR || this.buf[this.pos + 1] !== LF) {
            throw new ProtocolError(400, 'Missing CRLF after chunk data');
          }
          this.pos += 2;
          this.state = State.ChunkSize;
          break;
        case State.Trailers:
          if (!this.readTrailers()) return this.needInput();
          this.state = State.Head;
          return BODY_END;
      }
    }
  }

  private needInput(): null {
    if (this.inputEnded) throw new ProtocolError(400, 'Connection closed before the body was complete');
    return null;
  }

  /** Chunk-size lines must end in CRLF: a bare LF here is a known request-smuggling lever, so it is refused. */
  private readChunkSize(): boolean {
    const buf = this.buf;
    const start = this.pos;
    const lf = buf.indexOf(LF, start);
    if (lf < 0 || lf >= this.len) {
      if (this.len - start > MAX_CHUNK_LINE_BYTES) throw new ProtocolError(400, 'Chunk size line too long');
      return false;
    }
    if (lf - start > MAX_CHUNK_LINE_BYTES) throw new ProtocolError(400, 'Chunk size line too long');
    if (lf === start || buf[lf - 1] !== CR) throw new ProtocolError(400, 'Chunk size line must end in CRLF');
    const end = lf - 1;
    let i = start;
    let size = 0;
    for (; i < end; i++) {
      const d = hexValue(buf[i]!);
      if (d < 0) break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER) throw new ProtocolError(400, 'Chunk size too large');
    }
    if (i === start) throw new ProtocolError(400, 'Invalid chunk size');
    // chunk-ext: BWS ";" ... — validated only for stray control bytes; the extensions themselves are ignored.
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i < end) {
      if (buf[i] !== SEMICOLON) throw new ProtocolError(400, 'Invalid chunk size');
      for (; i < end; i++) {
        if (FIELD_VALUE_BYTE[buf[i]!] !== 1) throw new ProtocolError(400, 'Invalid chunk extension');
      }
    }
    this.pos = lf + 1;
    if (size === 0) {
      this.state = State.Trailers;
    } else {
      this.state = State.ChunkData;
      this.remaining = size;
    }
    return true;
  }

  private readTrailers(): boolean {
    const buf = this.buf;
    const start = this.pos;
    // Fast path: no trailer fields.
    if (this.len - start >= 2 && buf[start] === CR && buf[start + 1] === LF) {
      this.pos = start + 2;
      return true;
    }
    let from = start;
    for (;;) {
      const lf = buf.indexOf(LF, from);
      if (lf < 0 || lf >= this.len) {
        if (this.len - start > this.limits.maxHeaderBytes) {
          throw new ProtocolError(431, 'Trailer section too large');
        }
        return false;
      }
      if (buf[lf - 1] !== CR) throw new ProtocolError(400, 'Trailer lines must end in CRLF');
      if (lf - 1 === from) {
        const trailers = new Headers();
        this.parseFields(buf, start, lf + 1, trailers);
        this.trailers = trailers;
        this.pos = lf + 1;
        return true;
      }
      from = lf + 1;
    }
  }
}

/** End of a line's content: the LF at `lf`, or the CR before it. */
function lineContentEnd(buf: Buffer, lineStart: number, lf: number): number {
  return lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf;
}

/** One `name: value` line. Whitespace before the colon and bad bytes are refused (RFC 9112 §5.1). */
function parseFieldLine(buf: Buffer, start: number, end: number, headers: Headers): void {
  let i = start;
  while (i < end && TCHAR[buf[i]!] === 1) i++;
  if (i === end || buf[i] !== COLON) {
    const c = i < end ? buf[i] : -1;
    if (c === SP || c === HTAB) throw new ProtocolError(400, 'Whitespace between field name and colon');
    if (i === start && c === COLON) throw new ProtocolError(400, 'Empty field name');
    throw new ProtocolError(400, 'Invalid header field');
  }
  if (i === start) throw new ProtocolError(400, 'Empty field name');
  const known = knownFieldName(buf, start, i);
  if (known !== undefined) headers.add(known.name, trimmedValue(buf, i + 1, end), known.key);
  else headers.add(buf.toString('latin1', start, i), trimmedValue(buf, i + 1, end));
}

/** The value in [start, end) without surrounding whitespace; refuses NUL, bare CR and other controls. */
function trimmedValue(buf: Buffer, start: number, end: number): string {
  while (start < end && (buf[start] === SP || buf[start] === HTAB)) start++;
  while (end > start && (buf[end - 1] === SP || buf[end - 1] === HTAB)) end--;
  for (let j = start; j < end; j++) {
    if (FIELD_VALUE_BYTE[buf[j]!] !== 1) throw new ProtocolError(400, 'Invalid character in header value');
  }
  return buf.toString('latin1', start, end);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

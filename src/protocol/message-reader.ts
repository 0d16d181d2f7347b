import { ParseError } from './errors.js';
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

/** The limits a server uses unless told otherwise (8 KiB start line, 64 KiB of fields, 100 fields). */
export const DEFAULT_HEAD_LIMITS: HeadLimits = {
  maxStartLineBytes: 8 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 100,
};

/** How a message's body is delimited (RFC 9112 §6.3), once its head is known. */
export type BodyFraming =
  | {
      /** No body. */
      readonly kind: 'none';
    }
  | {
      /** Exactly `length` bytes (Content-Length). */
      readonly kind: 'length';
      /** The body's size in bytes. */
      readonly length: number;
    }
  | {
      /** Chunked transfer coding. */
      readonly kind: 'chunked';
    }
  | {
      /** Everything until the connection closes (responses only). */
      readonly kind: 'close';
    };

export const NO_BODY: BodyFraming = { kind: 'none' };
export const CHUNKED: BodyFraming = { kind: 'chunked' };
export const UNTIL_CLOSE: BodyFraming = { kind: 'close' };

/** What the reader holds when every byte it received has been handed out. */
const NO_BYTES = Buffer.alloc(0);

/** Returned by `readBody` once the whole body (and any trailer section) has been read. */
export const BODY_END: unique symbol = Symbol('BODY_END');

/**
 * A head is first looked for in this many bytes decoded at once: one native call for the whole head instead
 * of one per line and per field. Longer or incomplete heads take the incremental path.
 */
const HEAD_WINDOW = 4096;

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
  private buf: Buffer = NO_BYTES;
  private pos = 0;
  private len = 0;
  /** Whether `buf` is ours, so bytes may be appended past `len` without touching slices handed out. */
  private owned = false;
  /** How many bytes after `pos` the head search already looked at, so a slow head is not rescanned. */
  private scanned = 0;
  /** Index of the first line end of the pending head, once found. */
  private startLineEnd = -1;
  /** Field lines of the pending section (head or trailers) seen so far, counted against the limit as they arrive. */
  private fieldLines = 0;
  /** Where the pending section's last, incomplete line starts, as an offset after `pos`. */
  private lineStart = 0;
  /**
   * How many bytes of that line passed the early check of its first word (method, field name), or -1 once
   * the word ended: garbage is refused as it arrives instead of when a line end comes (if ever).
   */
  private lineChecked = 0;
  private state = State.Head;
  private remaining = 0;
  private inputEnded = false;
  /** Trailer fields of the last chunked body, if it had any. */
  trailers: Headers | null = null;

  protected constructor(
    /** Size limits of each head. */
    protected readonly limits: HeadLimits,
  ) {}

  /**
   * Parses the start line: `text` from its beginning to `end`, which excludes the line terminator. The same
   * bytes sit in `bytes` from `base` on, for scans that are cheaper over bytes.
   */
  protected abstract parseStartLine(text: string, end: number, bytes: Buffer, base: number): void;

  /** Builds the head once all fields are in and returns it with the framing of its body. */
  protected abstract finishHead(headers: Headers): { head: H; framing: BodyFraming };

  /** A line that starts with whitespace continues the previous field (obs-fold); requests reject it. */
  protected abstract foldedLine(headers: Headers, value: string): void;

  /** What the start line is called in error messages: `Request line` or `Status line`. */
  protected abstract readonly startLineName: string;

  /** What the field section is called in error messages: `Request header fields`, `Response …`. */
  protected abstract readonly fieldsName: string;

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
    this.moveTo(Buffer.allocUnsafe(Math.max(2 * (this.len - this.pos + chunk.length), 4096)));
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  /**
   * Copies the bytes not handed out yet into memory of the reader's own, so that the buffer they were pushed
   * in can take the next read (a socket reading into one buffer again and again: `onread`).
   */
  ownBuffered(): void {
    this.moveTo(Buffer.allocUnsafe(this.len - this.pos));
  }

  /** Moves the bytes not handed out yet to the start of `next`, which becomes the reader's own buffer. */
  private moveTo(next: Buffer): void {
    this.buf.copy(next, 0, this.pos, this.len);
    if (this.startLineEnd >= 0) this.startLineEnd -= this.pos;
    this.buf = next;
    this.len -= this.pos;
    this.pos = 0;
    this.owned = true;
  }

  /**
   * Lets go of the input buffer once every byte in it was handed out (pieces handed out are views of their
   * own): an idle keep-alive connection then holds no request bytes, only its reader's state. The next
   * `push` takes its chunk as the buffer, as it would anyway.
   */
  private releaseIfRead(): void {
    if (this.pos !== this.len) return;
    this.buf = NO_BYTES;
    this.pos = 0;
    this.len = 0;
    this.owned = false;
  }

  /** Tells the reader the peer will send nothing more; a body delimited by close then ends. */
  endInput(): void {
    this.inputEnded = true;
  }

  /**
   * Hands out every byte received and not yet handed out, and empties the reader: when the connection leaves
   * HTTP (an upgrade, a CONNECT tunnel), what followed the last head belongs to the new protocol.
   */
  takeBuffered(): Buffer {
    const rest = this.buf.subarray(this.pos, this.len);
    this.buf = NO_BYTES;
    this.pos = 0;
    this.len = 0;
    this.owned = false;
    return rest;
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
   * The next message head, or null until all of it has arrived. Throws ParseError for a head that breaks
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
    // The head as Latin-1 text, and where its blank line starts in it.
    let text: string | null = null;
    let blankLine = -1;
    if (this.scanned === 0 && this.startLineEnd < 0) {
      const window = buf.toString('latin1', pos, Math.min(len, pos + HEAD_WINDOW));
      const lf = window.indexOf('\n');
      if (lf >= 0) {
        this.startLine(window, lf);
        blankLine = blankLineAfter(window, lf);
        if (blankLine >= 0) text = window;
      }
    }
    if (text === null) {
      const found = this.findBlankLine(pos, len);
      if (found < 0) return null;
      text = buf.toString('latin1', pos, found + (buf[found] === CR ? 2 : 1));
      blankLine = found - pos;
    }
    const startLineEnd = this.startLineEnd - pos;
    // The field lines with their line ends; the blank line that closes the section does not count.
    if (blankLine - startLineEnd - 1 > this.limits.maxHeaderBytes) {
      throw this.fieldsTooLarge();
    }
    const headLength = blankLine + (text.charCodeAt(blankLine) === CR ? 2 : 1);
    const headers = new Headers();
    this.parseFields(text, buf, pos, startLineEnd + 1, headers);
    this.pos = pos + headLength;
    this.releaseIfRead();
    this.restartSection();
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

  /**
   * Checks and parses the start line, the text up to its LF at `lf`, as soon as it is complete: a bad one
   * (an HTTP/0.9 `GET /`) is refused without waiting for a header section that may never come.
   */
  private startLine(text: string, lf: number): void {
    const end = lineContentEnd(text, 0, lf);
    if (end > this.limits.maxStartLineBytes) throw this.startLineTooLong();
    this.parseStartLine(text, end, this.buf, this.pos);
    this.startLineEnd = this.pos + lf;
  }

  /**
   * The incremental search for the blank line that ends a head, when it did not fit the first window or
   * has not all arrived: its offset, or -1 until it is in. Scanning resumes where it stopped, so a head sent
   * a byte at a time costs linear time; field lines are counted, and the line still arriving is checked, as
   * they come.
   */
  private findBlankLine(pos: number, len: number): number {
    const buf = this.buf;
    let from = pos + this.scanned;
    for (;;) {
      const lf = lineFeed(buf, from, len);
      if (lf < 0) {
        this.checkPartialLine(pos, len, this.startLineEnd < 0);
        this.scanned = len - pos;
        this.checkIncompleteHead(len);
        return -1;
      }
      if (this.startLineEnd < 0) this.startLine(buf.toString('latin1', pos, lf + 1), lf - pos);
      // A field line that ended gets the check of one still arriving: split or whole, the same answer.
      else if (lf !== this.startLineEnd) this.checkPartialLine(pos, lf, false);
      const next = lf + 1;
      if (next >= len || (buf[next] === CR && next + 1 >= len)) {
        this.scanned = lf - pos;
        this.checkIncompleteHead(len);
        return -1;
      }
      if (buf[next] === LF || (buf[next] === CR && buf[next + 1] === LF)) return next;
      this.fieldLineAt(next, pos);
      from = next;
    }
  }

  /** Forgets the progress of a section's scan, once it is read. */
  private restartSection(): void {
    this.scanned = 0;
    this.fieldLines = 0;
    this.lineStart = 0;
    this.lineChecked = 0;
  }

  /**
   * A field line of the pending section starts at `at` (`pos`: where the section does): it counts against
   * the field limit at once (a continuation line adds to the field before it), and is checked as it arrives.
   */
  private fieldLineAt(at: number, pos: number): void {
    this.lineStart = at - pos;
    this.lineChecked = 0;
    const c = this.buf[at];
    if (c !== SP && c !== HTAB && ++this.fieldLines > this.limits.maxHeaderCount) throw this.tooManyFields();
  }

  /**
   * Checks the bytes of the section's last line (the section starts at `pos`) up to `len` that no call has
   * checked yet.
   */
  private checkPartialLine(pos: number, len: number, startLine: boolean): void {
    if (this.lineChecked < 0) return;
    const start = pos + this.lineStart;
    const from = start + this.lineChecked;
    this.lineChecked = startLine
      ? this.checkPartialStartLine(this.buf, start, from, len)
      : checkPartialFieldName(this.buf, start, from, len);
  }

  /**
   * Checks bytes [from, to) of a start line that began at `start` and has not all arrived, so that bytes no
   * start line of this role can hold are refused at once: returns how many bytes from `start` passed, or -1
   * once nothing more needs an early look. The default looks at nothing.
   */
  protected checkPartialStartLine(_bytes: Buffer, _start: number, _from: number, _to: number): number {
    return -1;
  }

  private startLineTooLong(): ParseError {
    return new ParseError('start-line-too-long', `${this.startLineName} too long`);
  }

  private fieldsTooLarge(): ParseError {
    return new ParseError('fields-too-large', `${this.fieldsName} too large`);
  }

  private tooManyFields(): ParseError {
    return new ParseError('too-many-fields', `More than ${this.limits.maxHeaderCount} header fields`);
  }

  private checkIncompleteHead(len: number): void {
    const limits = this.limits;
    // One byte more than the limit may be a CR still waiting for its LF.
    if (this.startLineEnd < 0) {
      if (len - this.pos > limits.maxStartLineBytes + 1) throw this.startLineTooLong();
    } else if (len - this.startLineEnd - 1 > limits.maxHeaderBytes + 1) {
      throw this.fieldsTooLarge();
    }
  }

  /**
   * Parses the field lines of a section that ends with a blank line, from `start` in `text`. The same bytes
   * sit in `bytes` from `base` on: they are scanned there (a typed-array read is much cheaper than a string's
   * charCodeAt), and names and values are sliced from `text`, which needs no native call.
   */
  private parseFields(text: string, bytes: Buffer, base: number, start: number, headers: Headers): void {
    const maxCount = this.limits.maxHeaderCount;
    let i = base + start;
    for (;;) {
      const c = bytes[i];
      if (c === LF || (c === CR && bytes[i + 1] === LF)) return; // the blank line
      if (c === SP || c === HTAB) {
        const end = valueEnd(bytes, i);
        this.foldedLine(headers, trimmedSlice(text, bytes, base, i, end));
        i = nextLine(bytes, end);
        continue;
      }
      if (headers.size >= maxCount) throw this.tooManyFields();
      let colon = i;
      while (TCHAR[bytes[colon]!] === 1) colon++;
      if (bytes[colon] !== COLON || colon === i) throw badFieldName(bytes, i, colon);
      const end = valueEnd(bytes, colon + 1);
      const value = trimmedSlice(text, bytes, base, colon + 1, end);
      const known = knownFieldName(bytes, i, colon);
      if (known !== undefined) headers.add(known.name, value, known.key);
      else headers.add(text.slice(i - base, colon - base), value);
      i = nextLine(bytes, end);
    }
  }

  /**
   * The next piece of body: a Buffer (a view of received bytes, valid as long as the caller keeps it), null
   * when more input is needed, or BODY_END once the body is complete. Throws ParseError on bad chunking
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
          if (this.remaining === 0) {
            this.state = this.state === State.Length ? State.Head : State.ChunkDataEnd;
            this.releaseIfRead();
          }
          return piece;
        }
        case State.UntilClose: {
          if (avail > 0) {
            const piece = this.buf.subarray(this.pos, this.len);
            this.pos = this.len;
            this.releaseIfRead();
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
            throw new ParseError('bad-chunk', 'Missing CRLF after chunk data');
          }
          this.pos += 2;
          this.state = State.ChunkSize;
          break;
        case State.Trailers:
          if (!this.readTrailers()) return this.needInput();
          this.state = State.Head;
          this.releaseIfRead();
          return BODY_END;
      }
    }
  }

  private needInput(): null {
    if (this.inputEnded)
      throw new ParseError('incomplete-body', 'Connection closed before the body was complete');
    return null;
  }

  /** Chunk-size lines must end in CRLF: a bare LF here is a known request-smuggling lever, so it is refused. */
  private readChunkSize(): boolean {
    const buf = this.buf;
    const start = this.pos;
    const lf = lineFeed(buf, start, this.len);
    if (lf < 0) {
      if (this.len - start > MAX_CHUNK_LINE_BYTES)
        throw new ParseError('bad-chunk', 'Chunk size line too long');
      return false;
    }
    if (lf - start > MAX_CHUNK_LINE_BYTES) throw new ParseError('bad-chunk', 'Chunk size line too long');
    if (lf === start || buf[lf - 1] !== CR)
      throw new ParseError('bad-chunk', 'Chunk size line must end in CRLF');
    const end = lf - 1;
    let i = start;
    let size = 0;
    for (; i < end; i++) {
      const d = hexValue(buf[i]!);
      if (d < 0) break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER) throw new ParseError('bad-chunk', 'Chunk size too large');
    }
    if (i === start) throw new ParseError('bad-chunk', 'Invalid chunk size');
    // chunk-ext: BWS ";" ... — validated only for stray control bytes; the extensions themselves are ignored.
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i < end) {
      if (buf[i] !== SEMICOLON) throw new ParseError('bad-chunk', 'Invalid chunk size');
      for (; i < end; i++) {
        if (FIELD_VALUE_BYTE[buf[i]!] !== 1) throw new ParseError('bad-chunk', 'Invalid chunk extension');
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

  /**
   * The trailer section after the last chunk, read as a head's fields are: the scan resumes where it
   * stopped and fields are counted and checked as they arrive, so trailers sent a byte at a time cost linear
   * time and meet the limits at once. Its lines must end in CRLF.
   */
  private readTrailers(): boolean {
    const buf = this.buf;
    const start = this.pos;
    const len = this.len;
    if (this.scanned === 0) {
      if (len - start < 2) {
        if (len > start && buf[start] === LF) throw trailerLineEnd();
        return false;
      }
      // No trailer fields: the common case.
      if (buf[start] === CR && buf[start + 1] === LF) {
        this.pos = start + 2;
        return true;
      }
      this.fieldLineAt(start, start);
    }
    let from = start + this.scanned;
    for (;;) {
      const lf = lineFeed(buf, from, len);
      if (lf < 0) {
        this.checkPartialLine(start, len, false);
        this.scanned = len - start;
        this.checkTrailerSize(len - start);
        return false;
      }
      if (buf[lf - 1] !== CR) throw trailerLineEnd();
      this.checkPartialLine(start, lf, false);
      const next = lf + 1;
      // A CR may start the blank line that ends the section: the byte after it tells.
      if (next >= len || (buf[next] === CR && next + 1 >= len)) {
        this.scanned = lf - start;
        this.checkTrailerSize(len - start);
        return false;
      }
      if (buf[next] === CR && buf[next + 1] === LF) {
        this.checkTrailerSize(next - start);
        const trailers = new Headers();
        this.parseFields(buf.toString('latin1', start, next + 2), buf, start, 0, trailers);
        this.trailers = trailers;
        this.pos = next + 2;
        this.restartSection();
        return true;
      }
      this.fieldLineAt(next, start);
      from = next;
    }
  }

  /** The trailer section may be as large as a header section (`size`: its bytes so far). */
  private checkTrailerSize(size: number): void {
    if (size > this.limits.maxHeaderBytes)
      throw new ParseError('fields-too-large', 'Trailer section too large');
  }
}

/**
 * The first LF in bytes [from, len), or -1. The reader's own buffer has room past `len` holding stale bytes:
 * a search of the whole buffer would look at them on every call, which makes input arriving a byte at a
 * time cost quadratic time; the search stops at `len`.
 */
function lineFeed(buf: Buffer, from: number, len: number): number {
  if (from >= len) return -1;
  const lf = len === buf.length ? buf.indexOf(LF, from) : buf.subarray(from, len).indexOf(LF);
  return lf < 0 || len === buf.length ? lf : lf + from;
}

/** End of a line's content: the LF at `lf`, or the CR before it. */
function lineContentEnd(text: string, lineStart: number, lf: number): number {
  return lf > lineStart && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/** Where the blank line that ends a head whose first LF is at `lf` starts, or -1 when `text` has none. */
function blankLineAfter(text: string, lf: number): number {
  while (lf >= 0) {
    const c = text.charCodeAt(lf + 1);
    if (c === LF || (c === CR && text.charCodeAt(lf + 2) === LF)) return lf + 1;
    lf = text.indexOf('\n', lf + 1);
  }
  return -1;
}

/** Where the value that starts at `from` ends: the first byte that is not a field-value byte. */
function valueEnd(bytes: Buffer, from: number): number {
  let i = from;
  while (FIELD_VALUE_BYTE[bytes[i]!] === 1) i++;
  return i;
}

/** The start of the next line, given where a value ended; anything but a line end there is refused. */
function nextLine(bytes: Buffer, end: number): number {
  const c = bytes[end];
  if (c === LF) return end + 1;
  if (c === CR && bytes[end + 1] === LF) return end + 2;
  throw new ParseError('bad-field', 'Invalid character in header value'); // NUL, a bare CR, other controls
}

/** The text of [from, to) (offsets in `bytes`) without surrounding whitespace. */
function trimmedSlice(text: string, bytes: Buffer, base: number, from: number, to: number): string {
  while (from < to && (bytes[from] === SP || bytes[from] === HTAB)) from++;
  while (to > from && (bytes[to - 1] === SP || bytes[to - 1] === HTAB)) to--;
  return text.slice(from - base, to - base);
}

/**
 * Checks bytes [from, to) of a field line that began at `start` and has not all arrived: its name must be a
 * token up to the colon (a line that starts with whitespace continues the field before it, which the role
 * judges at its end). Returns how many bytes from `start` passed, or -1 once the name is complete.
 */
function checkPartialFieldName(bytes: Buffer, start: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (TCHAR[c] === 1) continue;
    if (i > start ? c === COLON : c === SP || c === HTAB) return -1;
    throw badFieldName(bytes, start, i);
  }
  return to - start;
}

function trailerLineEnd(): ParseError {
  return new ParseError('bad-field', 'Trailer lines must end in CRLF');
}

/** Why the field name from `start` stopped being a token at `stop` (RFC 9112 §5.1). */
function badFieldName(bytes: Buffer, start: number, stop: number): ParseError {
  const c = bytes[stop];
  if (c === SP || c === HTAB) return new ParseError('bad-field', 'Whitespace between field name and colon');
  if (stop === start && c === COLON) return new ParseError('bad-field', 'Empty field name');
  return new ParseError('bad-field', 'Invalid header field');
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

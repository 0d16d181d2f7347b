import { ParseError } from './errors.js';
import {
  addTransferCodings,
  connectionTokens,
  parseContentLength,
  persists,
  responseHasBody,
} from './framing.js';
import type { Headers } from './headers.js';
import {
  CHUNKED,
  DEFAULT_HEAD_LIMITS,
  MessageReader,
  NO_BODY,
  UNTIL_CLOSE,
  type BodyFraming,
  type HeadLimits,
} from './message-reader.js';
import { FIELD_VALUE_BYTE } from './tokens.js';

/** A parsed response head. */
export interface ResponseHead {
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  /** The x of HTTP/1.x: 0 or 1. */
  readonly versionMinor: number;
  /** The status code. */
  readonly status: number;
  /** The reason phrase as sent (may be empty). */
  readonly reason: string;
  /** The header fields, in order. */
  readonly headers: Headers;
  /** Whether the server lets the connection carry another request. */
  readonly keepAlive: boolean;
  /** How the body that follows is delimited (RFC 9112 §6), given the request it answers. */
  readonly framing: BodyFraming;
}

/** `HTTP/1.` as character codes: the start of every status line this reader accepts. */
const HTTP_1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];
const SP = 0x20;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The versions this reader produces, so each head does not build the string anew. */
const VERSIONS = Array.from({ length: 10 }, (_, minor) => `HTTP/1.${minor}`);

/**
 * Reads responses (RFC 9112 §4) for a client: the framing of each body depends on the request it answers
 * (a response to HEAD has none), so the owner calls `expect(method)` before reading each one. obs-fold is
 * unfolded with a space, as RFC 9112 §5.2 asks of user agents.
 */
export class ResponseReader extends MessageReader<ResponseHead> {
  private method = 'GET';
  private minor = 1;
  private status = 0;
  private reason = '';
  /** The last reason phrase read, reused while servers keep sending the same one (nearly always). */
  private lastReason = '';

  constructor(limits: HeadLimits = DEFAULT_HEAD_LIMITS) {
    super(limits);
  }

  /** The method of the request whose response comes next. */
  expect(method: string): void {
    this.method = method;
  }

  protected readonly startLineName = 'Status line';
  protected readonly fieldsName = 'Response header fields';

  protected foldedLine(headers: Headers, value: string): void {
    headers.continueLast(value);
  }

  /**
   * `HTTP/1.x SSS reason` (the reason may be empty or absent), read in place: short enough as text. A status
   * below 100 is no status (Python: BadStatusLine), and a reason may hold no control byte (a bare CR, NUL).
   */
  protected parseStartLine(text: string, end: number, bytes: Buffer, base: number): void {
    let ok = end >= 12 && isDigit(text.charCodeAt(7)) && text.charCodeAt(8) === SP;
    for (let i = 0; ok && i < HTTP_1.length; i++) ok = text.charCodeAt(i) === HTTP_1[i];
    for (let i = 9; ok && i < 12; i++) ok = isDigit(text.charCodeAt(i));
    if (!ok || (end > 12 && text.charCodeAt(12) !== SP) || text.charCodeAt(9) === 0x30) {
      throw badStatusLine(text, end);
    }
    this.minor = text.charCodeAt(7) - 0x30;
    this.status = Number(text.slice(9, 12));
    const reason = this.lastReason;
    if (end <= 13) this.reason = '';
    else if (end - 13 === reason.length && text.startsWith(reason, 13)) this.reason = reason;
    else {
      for (let i = base + 13; i < base + end; i++) {
        if (FIELD_VALUE_BYTE[bytes[i]!] !== 1) throw badStatusLine(text, end);
      }
      this.reason = this.lastReason = text.slice(13, end);
    }
  }

  protected finishHead(headers: Headers): {
    /** The head, complete. */
    head: ResponseHead;
    /** How its body is delimited. */
    framing: BodyFraming;
  } {
    const minor = this.minor;
    const status = this.status;
    // One pass over the fields for what framing and persistence depend on.
    let connection = 0;
    let codings: string[] | null = null;
    let length: number | null = null;
    let badLength: string | null = null;
    for (let n = headers.size, i = 0; i < n; i++) {
      const key = headers.keyAt(i);
      if (key === 'connection') {
        connection |= connectionTokens(headers.valueAt(i));
      } else if (key === 'transfer-encoding') {
        codings = addTransferCodings(codings, headers.valueAt(i));
      } else if (key === 'content-length') {
        const value = headers.valueAt(i);
        const n = parseContentLength(value);
        if (n < 0 || (length !== null && n !== length)) badLength ??= value;
        length = n;
      }
    }
    const framing = this.framing(status, minor, codings, length, badLength);
    // Transfer-Encoding with Content-Length, or in HTTP/1.0, is framing in doubt: the connection ends with it.
    const faulty = codings !== null && (length !== null || badLength !== null || minor === 0);
    const keepAlive = framing.kind !== 'close' && !faulty && persists(minor, connection);
    const head: ResponseHead = {
      version: VERSIONS[minor]!,
      versionMinor: minor,
      status,
      reason: this.reason,
      headers,
      keepAlive,
      framing,
    };
    return { head, framing };
  }

  /**
   * RFC 9112 §6.3, in its order: Transfer-Encoding wins over Content-Length; when chunked is not its last
   * coding (an empty field lists none), or the response is HTTP/1.0 (§6.1: faulty framing), the body runs
   * until the server closes.
   */
  private framing(
    status: number,
    minor: number,
    codings: string[] | null,
    length: number | null,
    badLength: string | null,
  ): BodyFraming {
    if (!responseHasBody(this.method, status)) return NO_BODY;
    if (codings !== null) {
      return minor >= 1 && codings[codings.length - 1] === 'chunked' ? CHUNKED : UNTIL_CLOSE;
    }
    if (badLength !== null)
      throw new ParseError('bad-content-length', `Invalid Content-Length: ${badLength}`);
    if (length !== null) return length === 0 ? NO_BODY : { kind: 'length', length };
    return UNTIL_CLOSE;
  }
}

/** The refusal of a status line; the client reports it as BadStatusLine. */
function badStatusLine(text: string, end: number): ParseError {
  return new ParseError(
    'bad-start-line',
    `Bad status line: ${JSON.stringify(text.slice(0, Math.min(end, 100)))}`,
  );
}

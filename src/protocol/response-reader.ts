import { ProtocolError } from './errors.js';
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
import { splitList } from './tokens.js';

/** A parsed response head. */
export interface ResponseHead {
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  readonly versionMinor: number;
  readonly status: number;
  readonly reason: string;
  readonly headers: Headers;
  /** Whether the server lets the connection carry another request. */
  readonly keepAlive: boolean;
  readonly framing: BodyFraming;
}

const STATUS_LINE = /^HTTP\/1\.(\d) (\d{3})(?: (.*))?$/;

/**
 * Reads responses (RFC 9112 §4) for a client: the framing of each body depends on the request it answers
 * (a response to HEAD has none), so the owner calls `expect(method)` before reading each one. obs-fold is
 * unfolded with a space, as RFC 9112 §5.2 asks of user agents.
 */
export class ResponseReader extends MessageReader<ResponseHead> {
  private method = 'GET';
  private line: RegExpExecArray | null = null;

  constructor(limits: HeadLimits = DEFAULT_HEAD_LIMITS) {
    super(limits);
  }

  /** The method of the request whose response comes next. */
  expect(method: string): void {
    this.method = method;
  }

  protected startLineTooLong(): ProtocolError {
    return new ProtocolError(502, 'Status line too long');
  }

  protected foldedLine(headers: Headers, value: string): void {
    headers.continueLast(value);
  }

  protected parseStartLine(text: string, end: number): void {
    const line = text.slice(0, end);
    this.line = STATUS_LINE.exec(line);
    if (this.line === null)
      throw new ProtocolError(502, `Bad status line: ${JSON.stringify(line.slice(0, 100))}`);
  }

  protected finishHead(headers: Headers): { head: ResponseHead; framing: BodyFraming } {
    const m = this.line!;
    const minor = Number(m[1]);
    const status = Number(m[2]);
    // One pass over the fields for what framing and persistence depend on.
    let keepAlive = minor >= 1;
    let lastCoding: string | null = null;
    let lengths: string[] | null = null;
    for (let n = headers.size, i = 0; i < n; i++) {
      const key = headers.keyAt(i);
      if (key === 'connection') {
        for (const token of splitList(headers.valueAt(i).toLowerCase())) {
          if (token === 'close') keepAlive = false;
          else if (token === 'keep-alive' && minor === 0) keepAlive = true;
        }
      } else if (key === 'transfer-encoding') {
        const codings = splitList(headers.valueAt(i).toLowerCase());
        if (codings.length > 0) lastCoding = codings[codings.length - 1]!;
      } else if (key === 'content-length') {
        (lengths ??= []).push(
          ...headers
            .valueAt(i)
            .split(',')
            .map((x) => x.trim()),
        );
      }
    }
    const framing = this.framing(status, lastCoding, lengths);
    if (framing.kind === 'close') keepAlive = false;
    const head: ResponseHead = {
      version: `HTTP/1.${minor}`,
      versionMinor: minor,
      status,
      reason: m[3] ?? '',
      headers,
      keepAlive,
      framing,
    };
    return { head, framing };
  }

  /** RFC 9112 §6.3, in its order. */
  private framing(status: number, lastCoding: string | null, lengths: string[] | null): BodyFraming {
    if (this.method === 'HEAD' || status < 200 || status === 204 || status === 304) return NO_BODY;
    if (lastCoding !== null) return lastCoding === 'chunked' ? CHUNKED : UNTIL_CLOSE;
    if (lengths !== null) {
      const first = lengths[0]!;
      if (
        !/^\d+$/.test(first) ||
        lengths.some((l) => l !== first) ||
        Number(first) > Number.MAX_SAFE_INTEGER
      ) {
        throw new ProtocolError(502, `Invalid Content-Length: ${lengths.join(', ')}`);
      }
      const length = Number(first);
      return length === 0 ? NO_BODY : { kind: 'length', length };
    }
    return UNTIL_CLOSE;
  }
}

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

  protected parseStartLine(buf: Buffer, start: number, end: number): void {
    const text = buf.toString('latin1', start, end);
    this.line = STATUS_LINE.exec(text);
    if (this.line === null)
      throw new ProtocolError(502, `Bad status line: ${JSON.stringify(text.slice(0, 100))}`);
  }

  protected finishHead(headers: Headers): { head: ResponseHead; framing: BodyFraming } {
    const m = this.line!;
    const minor = Number(m[1]);
    const status = Number(m[2]);
    let keepAlive = minor >= 1;
    for (const v of headers.getAll('connection')) {
      for (const token of splitList(v.toLowerCase())) {
        if (token === 'close') keepAlive = false;
        else if (token === 'keep-alive' && minor === 0) keepAlive = true;
      }
    }
    const framing = this.framing(status, headers);
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
  private framing(status: number, headers: Headers): BodyFraming {
    if (this.method === 'HEAD' || status < 200 || status === 204 || status === 304) return NO_BODY;
    const te = headers.getAll('transfer-encoding');
    if (te.length > 0) {
      const codings = te.flatMap((v) => splitList(v.toLowerCase()));
      return codings[codings.length - 1] === 'chunked' ? CHUNKED : UNTIL_CLOSE;
    }
    const cl = headers.getAll('content-length');
    if (cl.length > 0) {
      const values = new Set(cl.flatMap((v) => v.split(',').map((x) => x.trim())));
      const [only] = values;
      if (values.size !== 1 || !/^\d+$/.test(only!) || Number(only) > Number.MAX_SAFE_INTEGER) {
        throw new ProtocolError(502, `Invalid Content-Length: ${cl.join(', ')}`);
      }
      const length = Number(only);
      return length === 0 ? NO_BODY : { kind: 'length', length };
    }
    return UNTIL_CLOSE;
  }
}

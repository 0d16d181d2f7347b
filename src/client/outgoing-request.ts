import { FramingField, framingField, parseContentLength } from '../protocol/framing.js';
import { ContentLengthMismatch, InvalidHeader } from './errors.js';
import { headerLine, hostLine, requestLineOf } from './request-lines.js';

/** A request body: bytes with a known length, or a stream of unknown length (sent chunked). */
export type RequestBody =
  string | Buffer | Uint8Array | AsyncIterable<string | Buffer | Uint8Array> | Iterable<Buffer>;

/** Whether a body can be sent a second time (a stream is used up by the first). */
export function replayable(body: RequestBody | null): boolean {
  return body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/** Request fields: an object, or name/value pairs when order or repeats matter. */
export type RequestHeaders = Record<string, string | number> | Array<[string, string]>;

/** A request ready for the wire: its head, and its body as bytes that go with it or a stream that follows. */
export interface OutgoingRequest {
  readonly method: string;
  /** Request line, fields and the blank line, as one Latin-1 string: one write. */
  readonly head: string;
  readonly body: string | Uint8Array | null;
  readonly stream: AsyncIterable<string | Buffer | Uint8Array> | Iterable<Buffer> | null;
  readonly chunked: boolean;
  /** The caller's Content-Length for a stream it frames itself: the sender holds the stream to it. */
  readonly length: number | null;
  /** `Expect: 100-continue` was among the headers: the body waits for the server's go-ahead. */
  readonly expectContinue: boolean;
}

/** Methods whose requests carry content by definition: without a body they still say `Content-Length: 0`. */
const CONTENT_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Builds a request as Python's `HTTPConnection.request` does: `Host` first unless given, the caller's fields,
 * then `Content-Length` for strings and bytes or `Transfer-Encoding: chunked` for streams of unknown length.
 * CR, LF, NUL and other bytes that could split the message throw here, before anything is sent: InvalidURL in
 * the method, target or host, InvalidHeader in the caller's fields; a caller's Content-Length that does not
 * match a body of known length throws ContentLengthMismatch.
 */
export function outgoingRequest(
  method: string,
  target: string,
  host: string,
  headers: RequestHeaders | undefined,
  body: RequestBody | null,
  encodeChunked = false,
): OutgoingRequest {
  let fields = '';
  let hasHost = false;
  /** The caller's Content-Length, -1 when none was given. */
  let declared = -1;
  let hasCoding = false;
  let expectContinue = false;
  const add = (name: string, value: string): void => {
    fields += headerLine(name, value);
    switch (framingField(name)) {
      case FramingField.Host:
        hasHost = true;
        break;
      case FramingField.Expect:
        expectContinue ||= value.toLowerCase() === '100-continue';
        break;
      case FramingField.ContentLength: {
        const length = parseContentLength(value);
        if (length < 0 || (declared >= 0 && length !== declared)) {
          throw new InvalidHeader(`Invalid Content-Length: ${JSON.stringify(value)}`);
        }
        declared = length;
        break;
      }
      case FramingField.TransferEncoding:
        hasCoding = true;
        break;
    }
  };
  let line = requestLineOf(method, target);
  if (Array.isArray(headers)) for (const [name, value] of headers) add(name, value);
  else if (headers !== undefined) for (const name of Object.keys(headers)) add(name, String(headers[name]));
  if (!hasHost) line += hostLine(host);
  const hasLength = declared >= 0;
  let fixed: string | Uint8Array | null = null;
  let stream: OutgoingRequest['stream'] = null;
  let chunked = false;
  if (typeof body === 'string' || body instanceof Uint8Array || body === null) {
    const length = body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (hasLength && length !== declared) {
      throw new ContentLengthMismatch(`Content-Length is ${declared} but the body has ${length} bytes`);
    }
    fixed = body;
    if (body === null) {
      if (!hasLength && !hasCoding && CONTENT_METHODS.has(method)) fields += 'Content-Length: 0\r\n';
    } else if (!hasLength && !hasCoding) {
      fields += `Content-Length: ${length}\r\n`;
    }
  } else {
    stream = body;
    // As Python: a length from the caller means raw bytes; a Transfer-Encoding from the caller means the
    // caller frames, unless encodeChunked; otherwise chunked, said and done here.
    chunked = !hasLength && (hasCoding ? encodeChunked : true);
    if (chunked && !hasCoding) fields += 'Transfer-Encoding: chunked\r\n';
  }
  const length = stream !== null && !chunked && hasLength ? declared : null;
  return { method, head: `${line}${fields}\r\n`, body: fixed, stream, chunked, length, expectContinue };
}

import type { ParseError } from '../protocol/errors.js';
import { BadStatusLine, IncompleteRead, LineTooLong, type HTTPException } from './errors.js';

const EMPTY = Buffer.alloc(0);

/**
 * The client's exception for a response the protocol layer refused, chosen by the ParseError's kind (never
 * by its message), as Python's http.client would raise it; `cause` is the ParseError. In the head, a size
 * limit passed is LineTooLong and anything else malformed is BadStatusLine. Whatever breaks while the body
 * is read (its chunked framing, its early end, its trailer section) leaves the body incomplete: IncompleteRead,
 * with `expected` the bytes still owed under a Content-Length (null otherwise); HTTPResponse adds what arrived.
 */
export function responseError(
  err: ParseError,
  part: 'head' | 'body',
  expected: number | null = null,
): HTTPException {
  if (part === 'body') return new IncompleteRead(EMPTY, expected, err);
  switch (err.kind) {
    case 'start-line-too-long':
    case 'fields-too-large':
    case 'too-many-fields':
      return new LineTooLong(err.message, { cause: err });
    case 'bad-chunk':
    case 'incomplete-body':
      return new IncompleteRead(EMPTY, expected, err);
    case 'bad-start-line':
    case 'unsupported-version':
    case 'bad-field':
    case 'bad-content-length':
    case 'conflicting-framing':
    case 'unsupported-coding':
    case 'tls-handshake': // kinds of the request role from here on: listed so that a new kind is a compile error
    case 'bad-host':
    case 'bad-target':
    case 'unsupported-expectation':
      return new BadStatusLine(err.message, { cause: err });
  }
}

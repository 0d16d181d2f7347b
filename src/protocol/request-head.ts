import { HeaderValueError } from './response-head.js';
import { isToken } from './tokens.js';

/**
 * Formats a request line. The method must be a token and the target free of controls and spaces: a CR or
 * LF here would let a caller's input add headers or a second request (CVE-2019-9740 class), so it throws
 * before anything is sent.
 */
export function requestLine(method: string, target: string): string {
  if (!isToken(method)) throw new HeaderValueError(`Invalid method: ${JSON.stringify(method)}`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a target must not hold
  if (target === '' || /[\x00-\x20\x7f-\uffff]/.test(target)) {
    throw new HeaderValueError(
      `Invalid request target (controls, spaces or raw non-ASCII): ${JSON.stringify(target)}`,
    );
  }
  return `${method} ${target} HTTP/1.1\r\n`;
}

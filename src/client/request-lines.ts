import { requestLine } from '../protocol/request-head.js';
import { HeaderValueError, fieldLine } from '../protocol/response-head.js';
import { InvalidHeader, InvalidURL } from './errors.js';

/**
 * The lines of a request head as the client writes them. The protocol layer refuses anything that could
 * split the message (CR, LF, NUL, spaces in the target: CVE-2019-9740 class) with a HeaderValueError; here
 * that becomes the client's error for what was wrong, before anything is sent.
 */

/** `METHOD target HTTP/1.1`; InvalidURL for a method that is not a token or a target with controls or spaces. */
export function requestLineOf(method: string, target: string): string {
  try {
    return requestLine(method, target);
  } catch (err) {
    throw refusal(err, InvalidURL);
  }
}

/** The Host field for the host the client connects to; InvalidURL when the host could split the message. */
export function hostLine(host: string): string {
  try {
    return fieldLine('Host', host);
  } catch (err) {
    throw refusal(err, InvalidURL);
  }
}

/** One of the caller's header fields; InvalidHeader for a name that is not a token or a value with controls. */
export function headerLine(name: string, value: string): string {
  try {
    return fieldLine(name, value);
  } catch (err) {
    throw refusal(err, InvalidHeader);
  }
}

function refusal(err: unknown, As: typeof InvalidURL | typeof InvalidHeader): unknown {
  return err instanceof HeaderValueError ? new As(err.message, { cause: err }) : err;
}

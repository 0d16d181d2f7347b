/** Errors of the client, named after Python's http.client exceptions. */

/** Base class, as Python's `HTTPException`. */
export class HTTPException extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server closed the connection before sending a response (a stale keep-alive socket, usually). */
export class RemoteDisconnected extends HTTPException {}

/**
 * The body ended before its declared length, or its chunked framing broke (`partial` holds what arrived,
 * `cause` says what went wrong).
 */
export class IncompleteRead extends HTTPException {
  constructor(
    readonly partial: Buffer,
    readonly expected: number | null,
    cause?: Error,
  ) {
    super(
      `IncompleteRead(${partial.length} bytes read${expected === null ? '' : `, ${expected} more expected`})${cause === undefined ? '' : `: ${cause.message}`}`,
      { cause },
    );
  }
}

/** The server answered with something that is not an HTTP/1.x status line or head. */
export class BadStatusLine extends HTTPException {}

/** A status line or head over the client's limits. */
export class LineTooLong extends HTTPException {}

/** A URL or header the client refuses to send (controls, CR/LF, bad names). */
export class InvalidURL extends HTTPException {}

/** No answer within the configured time (connect, head, or body idle). */
export class TimeoutError extends HTTPException {}

/** `getresponse()` before a request was sent, or a new request while a response is unread. */
export class ResponseNotReady extends HTTPException {}

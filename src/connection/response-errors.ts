/**
 * Misuse of a response that the engine refuses. Thrown to the handler that made it, so an unhandled one
 * becomes a 500 (or a cut connection once the head is out) and a log line, never a quietly wrong response.
 */

/** The final response head was already sent: no second head, no interim response after it, no new field. */
export class HeadersSentError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_HEADERS_SENT';

  constructor(message = 'The response head was already sent') {
    super(message);
    this.name = 'HeadersSentError';
  }
}

/** Body bytes were written before the head was ended (`endHeaders()`), or after the response ended. */
export class ResponseOrderError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_RESPONSE_ORDER';

  constructor(message: string) {
    super(message);
    this.name = 'ResponseOrderError';
  }
}

/** The body written is longer than the Content-Length the head declared; the connection will close. */
export class ContentLengthExceeded extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_CONTENT_LENGTH_EXCEEDED';

  constructor(
    /** Bytes written beyond the declared length. */
    readonly excess: number,
  ) {
    super(`Response body exceeds its Content-Length by ${excess} bytes`);
    this.name = 'ContentLengthExceeded';
  }
}

/** The client closed the connection while the request was being handled; its streams fail with this. */
export class ClientDisconnected extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_CLIENT_DISCONNECTED';

  constructor() {
    super('Connection closed by the client');
    this.name = 'ClientDisconnected';
  }
}

/**
 * A connection cannot leave HTTP now: taking it over needs a `101 Switching Protocols` head sent (to an
 * HTTP/1.1 request) or a 2xx head answering CONNECT, a request body read whole, and a connection not yet
 * taken over.
 */
export class TakeOverError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_TAKE_OVER';

  constructor(message: string) {
    super(message);
    this.name = 'TakeOverError';
  }
}

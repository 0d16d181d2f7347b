/**
 * Errors of the client, named after Python's http.client exceptions where Python has one. Each has a stable
 * `code` (`BH_ERR_…`) to test for instead of the message.
 */

/** Base class, as Python's `HTTPException`. */
export class HTTPException extends Error {
  /** Stable identifier (`BH_ERR_…`) to test for: messages may change, codes do not. */
  readonly code: string = 'BH_ERR_HTTP';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server closed the connection before sending a response (a stale keep-alive socket, usually). */
export class RemoteDisconnected extends HTTPException {
  override readonly code = 'BH_ERR_REMOTE_DISCONNECTED';
}

/**
 * The body ended before its declared length, or its chunked framing broke (`partial` holds what arrived,
 * `cause` says what went wrong).
 */
export class IncompleteRead extends HTTPException {
  override readonly code = 'BH_ERR_INCOMPLETE_READ';

  constructor(
    /** The bytes of the body that did arrive. */
    readonly partial: Buffer,
    /** Bytes still expected by the declared length; null for a broken chunked body. */
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
export class BadStatusLine extends HTTPException {
  override readonly code = 'BH_ERR_BAD_STATUS_LINE';
}

/** A status line or head over the client's limits. */
export class LineTooLong extends HTTPException {
  override readonly code = 'BH_ERR_LINE_TOO_LONG';
}

/** A URL, request target or method the client refuses to send (controls, CR/LF, spaces), or cannot parse. */
export class InvalidURL extends HTTPException {
  override readonly code = 'BH_ERR_INVALID_URL';
}

/**
 * A header name or value the client refuses to send (not a token; CR, LF, NUL or other controls in the
 * value); `cause` is the protocol layer's HeaderValueError. Python raises ValueError here: it is no URL problem.
 */
export class InvalidHeader extends HTTPException {
  override readonly code = 'BH_ERR_INVALID_HEADER';
}

/** No answer within the configured time; the subclasses say which wait ran out. */
export class TimeoutError extends HTTPException {
  override readonly code: string = 'BH_ERR_TIMEOUT';
}

/** The connection (TCP and TLS handshake) was not established within `connectTimeout`: nothing was sent. */
export class ConnectTimeout extends TimeoutError {
  override readonly code = 'BH_ERR_CONNECT_TIMEOUT';
}

/** The request was sent but its response head did not complete within `headersTimeout`. */
export class HeadersTimeout extends TimeoutError {
  override readonly code = 'BH_ERR_HEADERS_TIMEOUT';
}

/** The body stopped: no byte of it arrived for `bodyTimeout` while the caller waited for more. */
export class BodyTimeout extends TimeoutError {
  override readonly code = 'BH_ERR_BODY_TIMEOUT';
}

/** `fetch()` met more than 20 redirects (the Fetch standard's limit), or more than `maxRedirects`. */
export class TooManyRedirects extends HTTPException {
  override readonly code = 'BH_ERR_TOO_MANY_REDIRECTS';
}

/**
 * A redirect `fetch()` may not follow: `redirect: 'error'` was asked, the Location is no http(s) URL, or the
 * request's body was a stream that cannot be sent a second time (307, 308).
 */
export class RedirectRefused extends HTTPException {
  override readonly code = 'BH_ERR_REDIRECT_REFUSED';
}

/**
 * The connection failed under a request before its response head was complete: refused, reset, a TLS or
 * DNS failure. `cause` is the socket's error, whose `code` (ECONNREFUSED, ECONNRESET…) says which. A failure
 * while the body is read is an IncompleteRead with this as its cause.
 */
export class ConnectionFailed extends HTTPException {
  override readonly code = 'BH_ERR_CONNECTION_FAILED';
}

/**
 * The caller's Content-Length does not match the body: a body of known length whose size differs is refused
 * before anything is sent; a stream that runs longer or shorter than declared aborts its request and closes
 * the connection (the bytes past the declared length would read as another request: smuggling).
 */
export class ContentLengthMismatch extends HTTPException {
  override readonly code = 'BH_ERR_CONTENT_LENGTH_MISMATCH';
}

/** `getresponse()` before a request was sent, or a new request while a response is unread. */
export class ResponseNotReady extends HTTPException {
  override readonly code = 'BH_ERR_RESPONSE_NOT_READY';
}

/** This side closed the connection (`close()`) while a request on it still waited for its response. */
export class ConnectionClosed extends HTTPException {
  override readonly code = 'BH_ERR_CONNECTION_CLOSED';
}

/**
 * The proxy would not carry the request: it refused the CONNECT tunnel (`status` says how: 403, 502…), answered
 * something that is not HTTP (`cause` is the BadStatusLine), or closed the connection before answering.
 * Credentials sent to it never reach the origin.
 */
export class ProxyError extends HTTPException {
  override readonly code: string = 'BH_ERR_PROXY';

  constructor(
    message: string,
    /** The proxy's status code; null when it gave none (garbage, or closed without an answer). */
    readonly status: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The proxy answered `407 Proxy Authentication Required`: no credentials in the proxy URL, or wrong ones.
 * `authenticate` holds its `Proxy-Authenticate` challenge (e.g. `Basic realm="proxy"`).
 */
export class ProxyAuthenticationRequired extends ProxyError {
  override readonly code = 'BH_ERR_PROXY_AUTHENTICATION_REQUIRED';

  constructor(
    message: string,
    /** The `Proxy-Authenticate` field, or null when the proxy sent none. */
    readonly authenticate: string | null,
  ) {
    super(message, 407);
  }
}

/** `setTunnel()` on a connection already connected, as Python's RuntimeError: the tunnel comes first. */
export class AlreadyConnected extends HTTPException {
  override readonly code = 'BH_ERR_ALREADY_CONNECTED';
}

/** `Pool.request` after `Pool.close()`. */
export class PoolClosed extends HTTPException {
  override readonly code = 'BH_ERR_POOL_CLOSED';
}

/** An option out of its range (a pool of 0 connections, say): a mistake in the caller's code, so a RangeError. */
export class InvalidOption extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_INVALID_OPTION';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidOption';
  }
}

/**
 * `fetch()`'s network error: a TypeError, as the Fetch standard says (code written for the global fetch keeps
 * working), whose `cause` is the typed error that says what failed (ConnectionFailed, HeadersTimeout,
 * TooManyRedirects...). An abort is no network error: it rejects with the signal's reason.
 */
export class FetchFailed extends TypeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_FETCH_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FetchFailed';
  }
}

/**
 * `send()`, `ping()` or a use of the socket in a state that does not allow it: before it is open, or once
 * it is closing or closed. Browsers drop such a send in silence; here it throws, so no message is lost
 * unseen.
 */
export class WebSocketStateError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_STATE';

  constructor(message: string) {
    super(message);
    this.name = 'WebSocketStateError';
  }
}

/** `close(code)` with a code an application may not send: only 1000 and 3000-4999 (as the browser's `close()`). */
export class WebSocketCloseCodeError extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_CLOSE_CODE';

  constructor(closeCode: number) {
    super(`A WebSocket can be closed with 1000 or 3000-4999, not ${closeCode}`);
    this.name = 'WebSocketCloseCodeError';
  }
}

/** `close(code, reason)` with a reason over 123 bytes of UTF-8: it would not fit in a close frame. */
export class WebSocketCloseReasonError extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_CLOSE_REASON';

  constructor(bytes: number) {
    super(`A close reason has at most 123 bytes of UTF-8, not ${bytes}`);
    this.name = 'WebSocketCloseReasonError';
  }
}

/** `ping(data)` with more than 125 bytes: a control frame carries no more (RFC 6455 §5.5). */
export class WebSocketPingSizeError extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_PING_SIZE';

  constructor(bytes: number) {
    super(`A ping carries at most 125 bytes, not ${bytes}`);
    this.name = 'WebSocketPingSizeError';
  }
}

/**
 * The peer broke the protocol and the server failed the connection: the `error` event's `error` before
 * the `close` event. `closeCode` is what the server closed with: 1002 (a frame rule), 1007 (text that is
 * not UTF-8, compressed data that does not inflate), 1009 (a message over `maxPayload`).
 */
export class WebSocketProtocolError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_PROTOCOL';

  constructor(
    /** The close code the server sent. */
    readonly closeCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WebSocketProtocolError';
  }
}

/** An option of `acceptWebSocket` out of its range (a negative timeout, a maxPayload that is no count). */
export class WebSocketOptionError extends TypeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_OPTION';

  constructor(message: string) {
    super(message);
    this.name = 'WebSocketOptionError';
  }
}

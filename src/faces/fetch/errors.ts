/**
 * Errors of the Fetch-API face: a mistake in what the app gives the server, told apart by class or by `code`
 * (stable across versions, `BH_ERR_*`); the message is for people and may change.
 */

/**
 * `serve()` (or `basehttp --app`) was given no fetch handler: `fetch` is missing or not a function, or the
 * module's default export is neither a function nor an object with a `fetch` method. A TypeError, as Node's
 * own invalid arguments are.
 */
export class InvalidFetchHandlerError extends TypeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'InvalidFetchHandlerError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_INVALID_FETCH_HANDLER';
}

/**
 * The fetch handler (or `onError`) returned or resolved to something that is not a `Response`. The request
 * is answered with a 500 and this error is logged: a wrong value never becomes a quietly wrong response.
 */
export class InvalidResponseError extends TypeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'InvalidResponseError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_INVALID_RESPONSE';
}

/**
 * `upgradeWebSocket()` misused: given a Request that `serve()` did not give the app, called twice for one
 * request, or its response returned for another request or not returned at all (the socket then reports
 * this error and closes with 1006).
 */
export class WebSocketUpgradeError extends TypeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'WebSocketUpgradeError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_WEBSOCKET_UPGRADE';
}

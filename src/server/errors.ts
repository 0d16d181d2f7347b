/**
 * Errors the server and the handler API throw for a mistake the caller can catch and tell apart by class or
 * by `code` (stable across versions, `BH_ERR_*`); the message is for people and may change. Misuse of the
 * response itself (a second head, body before head) is the engine's to refuse: connection/response-errors.ts.
 */

/**
 * A server option that cannot work: an entry of `trustProxy` that is no address or range, or
 * `proxyProtocol` without `trustProxy`. A TypeError, as Node's own invalid arguments are.
 */
export class InvalidServerOptionError extends TypeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'InvalidServerOptionError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_INVALID_SERVER_OPTION';
}

/**
 * The certificate or key of an HTTPSServer cannot be used: a file that cannot be read, holds no PEM, a wrong
 * or missing password, or a key that does not belong to the certificate. The message says which.
 */
export class TLSCredentialsError extends Error {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'TLSCredentialsError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_TLS_CREDENTIALS';
}

/**
 * The Unix socket path a server was to listen on is taken: a server answers on it, or it is a file of another
 * kind. (A socket left by a process that died is removed instead.) The message says which.
 */
export class SocketPathError extends Error {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'SocketPathError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_SOCKET_PATH';
}

/** `readBytes(size)` with a size that is no count of bytes (negative, fractional, NaN: a missing header). */
export class ReadSizeError extends RangeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'ReadSizeError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_READ_SIZE';
}

/**
 * A handler class with a method no request calls because of its spelling: Python's `do_GET` or camelCase
 * `doGet`, where basehttp dispatches to `doGET`. Thrown by the server's constructor, once, naming the fix:
 * otherwise every such request would get a 501 and the reason would show nowhere.
 */
export class HandlerMethodNameError extends TypeError {
  /** The class name, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'HandlerMethodNameError';
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_HANDLER_METHOD_NAME';
}

/**
 * A compressed message that inflates past `maxPayload`. The inflate stops at the first byte over the limit,
 * so a small "deflate bomb" never costs more memory than the limit; the WebSocket closes with 1009.
 */
export class DeflateTooLargeError extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_DEFLATE_TOO_LARGE';
  /** The close code the connection fails with (RFC 6455 §7.4.1: message too big). */
  readonly closeCode = 1009;

  constructor(maxPayload?: number) {
    super(
      maxPayload === undefined
        ? 'decompressed message over maxPayload'
        : `decompressed message over maxPayload (${maxPayload} bytes)`,
    );
    this.name = 'DeflateTooLargeError';
  }
}

/**
 * Compressed message data that does not inflate (RFC 7692 §6.2: the connection fails). The WebSocket closes
 * with 1007, the code for message data inconsistent with its type, as `ws` does; `cause` is zlib's error.
 */
export class DeflateDataError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_DEFLATE_DATA';
  /** The close code the connection fails with (RFC 6455 §7.4.1: invalid frame payload data). */
  readonly closeCode = 1007;

  constructor(cause?: Error) {
    super(`invalid compressed data${cause === undefined ? '' : `: ${cause.message}`}`, { cause });
    this.name = 'DeflateDataError';
  }
}

/** `compress()` or `decompress()` on a codec after `close()`: a caller bug, never data lost in silence. */
export class DeflateClosedError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_DEFLATE_CLOSED';

  constructor() {
    super('the permessage-deflate codec is closed');
    this.name = 'DeflateClosedError';
  }
}

import type { ParseError, ParseErrorKind } from '../protocol/errors.js';

/** Header fields an error response carries: `[name, value]` pairs. */
export type StatusErrorFields = ReadonlyArray<readonly [string, string]>;

const NO_FIELDS: StatusErrorFields = Object.freeze([]);

/**
 * An error that is answered with an HTTP status: how the server refuses a request the protocol layer or a
 * timeout rejected, and what a handler may throw to answer with a status of its choice (an uncaught one
 * becomes that status and its error page; any other exception is a 500).
 */
export class HTTPStatusError extends Error {
  /** Stable identifier to test for instead of the message (a subclass names its own). */
  readonly code: string = 'BH_ERR_HTTP_STATUS';
  /**
   * Header fields the error response carries besides the usual ones, when the status calls for them (a 426
   * names the protocol to upgrade to, RFC 9110 §15.5.22); none by default.
   */
  readonly fields: StatusErrorFields;

  constructor(
    /** The status to answer with, e.g. 413. */
    readonly status: number,
    message: string,
    options?: ErrorOptions & { fields?: StatusErrorFields },
  ) {
    super(message, options);
    this.name = 'HTTPStatusError';
    this.fields = options?.fields ?? NO_FIELDS;
  }
}

/** The status a server answers each kind of unreadable request with (RFC 9110 §15, RFC 9112). */
const STATUS_FOR_KIND: Readonly<Record<ParseErrorKind, number>> = {
  'bad-start-line': 400,
  'tls-handshake': 400,
  'unsupported-version': 505,
  'start-line-too-long': 414,
  'fields-too-large': 431,
  'too-many-fields': 431,
  'bad-field': 400,
  'bad-host': 400,
  'bad-target': 400,
  'bad-content-length': 400,
  'conflicting-framing': 400,
  'unsupported-coding': 501,
  'unsupported-expectation': 417,
  'bad-chunk': 400,
  'incomplete-body': 400,
};

/** The server role's answer to a request the reader refused. */
export function statusForParseError(kind: ParseErrorKind): number {
  return STATUS_FOR_KIND[kind];
}

/**
 * A refusal the engine makes itself (a timeout, an unreadable request), made without a stack trace: its
 * frames would be the engine's own (the timeout sweep, the socket's 'data' event), nothing a user can act
 * on, and capturing them costs more than the rest of the refusal under an attack that makes thousands
 * (slowloris connections cut at the headers timeout). The message says what happened.
 */
export function engineRefusal(status: number, message: string, options?: ErrorOptions): HTTPStatusError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new HTTPStatusError(status, message, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The refusal for a parse error: its status, its message, and the parse error (with its stack) as the cause. */
export function refusalFor(error: ParseError): HTTPStatusError {
  return engineRefusal(statusForParseError(error.kind), error.message, { cause: error });
}

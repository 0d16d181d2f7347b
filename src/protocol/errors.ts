/**
 * What was wrong with a message the readers refused. The protocol layer names the failure; each role
 * decides what it means: the server answers with a status (`statusForParseError`), the client throws one of
 * Python's `http.client` exceptions.
 */
export type ParseErrorKind =
  /** The request line or status line breaks the grammar. */
  | 'bad-start-line'
  /** A TLS handshake where a plain HTTP request should start: a client speaking https to an http port. */
  | 'tls-handshake'
  /** An HTTP version that is well formed but not 1.x. */
  | 'unsupported-version'
  /** The start line is longer than the limit. */
  | 'start-line-too-long'
  /** The field section (headers or trailers) is larger than the limit. */
  | 'fields-too-large'
  /** More field lines than the limit. */
  | 'too-many-fields'
  /** A field line that is not `name: value`, or an obs-fold a request may not use. */
  | 'bad-field'
  /** No Host, several, or one that is not a host. */
  | 'bad-host'
  /** A request-target of no form RFC 9112 §3.2 allows for its method. */
  | 'bad-target'
  /** A Content-Length that is not one decimal number. */
  | 'bad-content-length'
  /** Framing fields that contradict each other (Content-Length with Transfer-Encoding, chunked not last). */
  | 'conflicting-framing'
  /** A transfer coding the reader does not decode. */
  | 'unsupported-coding'
  /** An expectation other than `100-continue`. */
  | 'unsupported-expectation'
  /** A chunk-size line or chunk delimiter that breaks the grammar, or one longer than the limit. */
  | 'bad-chunk'
  /** The input ended before the body did. */
  | 'incomplete-body';

/**
 * A message the protocol layer refuses. After one of these the framing of the stream is in doubt, so the
 * connection it came on is closed.
 */
export class ParseError extends Error {
  /** Stable identifier to test for instead of the message; `kind` says which rule was broken. */
  readonly code = 'BH_ERR_PARSE';

  constructor(
    /** Which rule the message broke, for the status a server answers with (see the README's table). */
    readonly kind: ParseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

import { isFieldValue, isToken } from './tokens.js';

/** Thrown when a caller asks for a header that cannot be written safely; nothing has been sent. */
export class HeaderValueError extends TypeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_HEADER_VALUE';

  constructor(message: string) {
    super(message);
    this.name = 'HeaderValueError';
  }
}

/** A status code outside 100–999: no status line can carry it. */
export class InvalidStatusError extends RangeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_INVALID_STATUS';

  constructor(
    /** The status that was refused. */
    readonly status: number,
  ) {
    super(`Invalid status code: ${status}`);
    this.name = 'InvalidStatusError';
  }
}

/** Names and short values already checked: a server sends the same few on every response. */
const VALID_NAMES = new Set<string>();
const VALID_VALUES = new Set<string>();
/** Status lines already built, by version then code (the last reason used for it): the same few on every response. */
const STATUS_LINES = new Map<string, Map<number, { reason: string; line: string }>>();

/**
 * Formats one field line. A name must be a token and a value ISO-8859-1 with no CR, LF or NUL: anything
 * else would split the response (CRLF injection) or lose characters, so it throws instead.
 */
export function fieldLine(name: string, value: string): string {
  if (!VALID_NAMES.has(name)) {
    if (!isToken(name)) throw new HeaderValueError(`Invalid header name: ${JSON.stringify(name)}`);
    if (VALID_NAMES.size < 512) VALID_NAMES.add(name);
  }
  if (!VALID_VALUES.has(value)) {
    if (!isFieldValue(value)) {
      throw new HeaderValueError(`Invalid value for header ${name}: ${JSON.stringify(value)}`);
    }
    if (VALID_VALUES.size < 512 && value.length <= 64) VALID_VALUES.add(value);
  }
  return `${name}: ${value}\r\n`;
}

/** A status line; the reason phrase loses controls (it cannot end the line early) and non-Latin-1 characters. */
export function statusLine(version: string, code: number, reason: string): string {
  let byCode = STATUS_LINES.get(version);
  const cached = byCode?.get(code);
  if (cached !== undefined && cached.reason === reason) return cached.line;
  const line = buildStatusLine(version, code, reason);
  if (byCode === undefined && STATUS_LINES.size < 8)
    STATUS_LINES.set(version, (byCode = new Map<number, { reason: string; line: string }>()));
  byCode?.set(code, { reason, line });
  return line;
}

function buildStatusLine(version: string, code: number, reason: string): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new InvalidStatusError(code);
  // eslint-disable-next-line no-control-regex -- a reason phrase must not carry controls onto the wire
  return `${version} ${code} ${reason.replace(/[\0-\x08\x0a-\x1f\x7f]/g, ' ').replace(/[^\0-\xff]/g, '?')}\r\n`;
}

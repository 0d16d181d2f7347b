/**
 * The header semantics both roles frame messages by (RFC 9110 §6–§8, RFC 9112 §6–§9): what a
 * Content-Length value means, what a Connection field asks for, which responses carry content, and which
 * field names take part. The readers, the server's response writer and the client's request writer all
 * decide through these, so the roles cannot drift apart.
 */
import { splitList } from './tokens.js';

/** The fields a sender or a reader frames a message from; everything else is `Other`. */
export const enum FramingField {
  Other,
  Host,
  Expect,
  Connection,
  ContentLength,
  TransferEncoding,
}

/** The framing fields by name length (no two share one): the field, its usual spelling, its lowercase key. */
const BY_LENGTH: Array<readonly [FramingField, string, string] | undefined> = [];
for (const [field, name] of [
  [FramingField.Host, 'Host'],
  [FramingField.Expect, 'Expect'],
  [FramingField.Connection, 'Connection'],
  [FramingField.ContentLength, 'Content-Length'],
  [FramingField.TransferEncoding, 'Transfer-Encoding'],
] as const) {
  BY_LENGTH[name.length] = [field, name, name.toLowerCase()];
}

/**
 * Which framing field `name` is, if any. Called for every field a handler or client sends: the usual
 * spelling compares as a constant, and a name is lowercased only when its length and first letter fit
 * (`Date`, `ETag` and `Server` share lengths with framing fields).
 */
export function framingField(name: string): FramingField {
  const candidate = BY_LENGTH[name.length];
  if (candidate === undefined) return FramingField.Other;
  const [field, spelling, key] = candidate;
  if (name === spelling) return field;
  if ((name.charCodeAt(0) | 0x20) !== key.charCodeAt(0)) return FramingField.Other;
  return name.toLowerCase() === key ? field : FramingField.Other;
}

/**
 * A Content-Length value (RFC 9110 §8.6): one decimal number, or a list of the same number, which a
 * recipient may take as that number. -1 for anything else: an empty member, a sign, a space inside the
 * digits, a value past 2^53, or members that disagree. Whitespace around members is field-value padding.
 */
export function parseContentLength(value: string): number {
  let length = -1;
  let from = 0;
  for (;;) {
    const comma = value.indexOf(',', from);
    const member = decimal(value, from, comma < 0 ? value.length : comma);
    if (member < 0 || (length >= 0 && member !== length)) return -1;
    length = member;
    if (comma < 0) return length;
    from = comma + 1;
  }
}

/** The decimal number in value[from, to) with optional surrounding spaces or tabs; -1 when there is none. */
function decimal(value: string, from: number, to: number): number {
  while (from < to && isWhitespace(value.charCodeAt(from))) from++;
  while (to > from && isWhitespace(value.charCodeAt(to - 1))) to--;
  if (from === to) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n > Number.MAX_SAFE_INTEGER ? -1 : n;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** What a Connection field's tokens ask for (RFC 9112 §9.3, §9.6); bits of `CONNECTION_*`. */
export const CONNECTION_CLOSE = 1;
export const CONNECTION_KEEP_ALIVE = 2;

/** The `close` and `keep-alive` tokens of one Connection field value, as `CONNECTION_*` bits. */
export function connectionTokens(value: string): number {
  // The usual values, whole, need no split.
  const lower = value.toLowerCase();
  if (lower === 'close') return CONNECTION_CLOSE;
  if (lower === 'keep-alive') return CONNECTION_KEEP_ALIVE;
  let bits = 0;
  for (const token of splitList(lower)) {
    if (token === 'close') bits |= CONNECTION_CLOSE;
    else if (token === 'keep-alive') bits |= CONNECTION_KEEP_ALIVE;
  }
  return bits;
}

/**
 * Whether a connection stays open after a message of this version with these Connection tokens: HTTP/1.1
 * persists unless `close`; HTTP/1.0 only with `keep-alive`; `close` wins over `keep-alive` in any order.
 */
export function persists(versionMinor: number, tokens: number): boolean {
  if ((tokens & CONNECTION_CLOSE) !== 0) return false;
  return versionMinor >= 1 || (tokens & CONNECTION_KEEP_ALIVE) !== 0;
}

/**
 * Adds the codings of one Transfer-Encoding field, lowercased, to those of the fields before it (null for
 * none yet). A field that lists none still makes the list non-null: Transfer-Encoding was sent, and a
 * message whose last coding is not chunked is framed as such (a request refused, a response read until close).
 */
export function addTransferCodings(codings: string[] | null, value: string): string[] {
  const list = codings ?? [];
  for (const coding of splitList(value)) list.push(coding.toLowerCase());
  return list;
}

/**
 * The last transfer coding of a Transfer-Encoding value, lowercased, or null when it lists none: whether it
 * is `chunked` decides how the body is delimited (RFC 9112 §6.1, §6.3).
 */
export function lastTransferCoding(value: string): string | null {
  const codings = splitList(value);
  return codings.length === 0 ? null : codings[codings.length - 1]!.toLowerCase();
}

/**
 * Whether a response's framing gives it a body at all (RFC 9112 §6.3): never for a response to HEAD, nor for
 * 1xx, 204 and 304, nor for a 2xx to CONNECT (the connection becomes a tunnel after its head). This is how a
 * reader delimits a response; every other status is framed as usual.
 */
export function responseHasBody(method: string, status: number): boolean {
  if (method === 'CONNECT' && status >= 200 && status < 300) return false;
  return method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
}

/**
 * Whether a server may send content with this status: not with 1xx, 204 and 304, which have no body, nor
 * with `205 Reset Content` (RFC 9110 §15.3.6), which is framed with `Content-Length: 0` instead.
 */
export function statusAllowsContent(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 205 && status !== 304;
}

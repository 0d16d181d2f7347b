import { ParseError } from './errors.js';
import { addTransferCodings, connectionTokens, parseContentLength, persists } from './framing.js';
import { Headers } from './headers.js';
import {
  CHUNKED,
  DEFAULT_HEAD_LIMITS,
  MessageReader,
  NO_BODY,
  type BodyFraming,
  type HeadLimits,
} from './message-reader.js';
import { TARGET_BYTE, TCHAR, splitList } from './tokens.js';

/** A parsed request head: what RFC 9112 lets a server know before reading the body. */
export interface RequestHead {
  /** The method token, case kept (methods are case-sensitive). */
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  /** Path and query as an origin-form target: absolute-form targets are reduced to it, `*` stays `*`. */
  readonly path: string;
  /** `HTTP/1.1` or `HTTP/1.0` (any HTTP/1.x above 1 is treated as 1.1, RFC 9110 §2.5). */
  readonly version: string;
  /** The x of HTTP/1.x: 0 or 1. */
  readonly versionMinor: number;
  /** The request line without its line end, for logs. */
  readonly requestLine: string;
  /** The header fields, in order. */
  readonly headers: Headers;
  /** Whether the client lets the connection stay open: its version and Connection header. */
  readonly keepAlive: boolean;
  /** The client sent `Expect: 100-continue` (HTTP/1.1 only) and may wait for an interim response. */
  readonly expectContinue: boolean;
  /** How the body that follows is delimited (RFC 9112 §6). */
  readonly framing: BodyFraming;
}

const SP = 0x20;
/** The first byte of a TLS handshake record (RFC 8446 §5.1). */
const TLS_HANDSHAKE = 0x16;
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;
/** reg-name and IPv4 characters plus ':' for the port. */
const HOST_BYTE = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%:") {
  HOST_BYTE[ch.charCodeAt(0)] = 1;
}
const ABSOLUTE_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)(.*)$/;
/** Transfer codings of RFC 9112 §7 that exist but basehttp does not decode: 501, not 400. */
const KNOWN_CODINGS = new Set(['chunked', 'gzip', 'x-gzip', 'deflate', 'compress', 'x-compress']);

/**
 * Reads requests (RFC 9112 §3) off a byte stream, enforcing the framing rules that keep a connection from
 * being desynchronised: one Host, one Content-Length value, never both Content-Length and
 * Transfer-Encoding, chunked last. obs-fold is refused with 400 (RFC 9112 §5.2 allows that or unfolding).
 */
export class RequestReader extends MessageReader<RequestHead> {
  private method = '';
  private target = '';
  private versionMinor = 1;
  private requestLine = '';

  constructor(limits: HeadLimits = DEFAULT_HEAD_LIMITS) {
    super(limits);
  }

  protected readonly startLineName = 'Request line';
  protected readonly fieldsName = 'Request header fields';

  protected foldedLine(): void {
    throw new ParseError('bad-field', 'Obsolete line folding is not accepted');
  }

  /**
   * A request line starts with a method token: the first byte that cannot be part of one is refused at
   * once, without waiting for a line end that may never come (`badRequestLine` says why).
   */
  protected override checkPartialStartLine(bytes: Buffer, start: number, from: number, to: number): number {
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      if (TCHAR[c] === 1) continue;
      if (c === SP && i > start) return -1;
      // Two more bytes tell a ClientHello from other garbage.
      if (i === start && c === TLS_HANDSHAKE && to - start < 3) return 0;
      throw badRequestLine(bytes, start, to);
    }
    return to - start;
  }

  protected parseStartLine(text: string, end: number, bytes: Buffer, base: number): void {
    const stop = base + end;
    let i = base;
    while (i < stop && TCHAR[bytes[i]!] === 1) i++;
    if (i === base || i === stop || bytes[i] !== SP) throw badRequestLine(bytes, base, stop);
    const methodEnd = i - base;
    const targetStart = ++i;
    while (i < stop && TARGET_BYTE[bytes[i]!] === 1) i++;
    if (i === targetStart || i === stop || bytes[i] !== SP) {
      throw new ParseError('bad-start-line', 'Bad request syntax');
    }
    const targetEnd = i - base;
    i = targetEnd + 1;
    const targetFrom = targetStart - base;
    // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
    if (
      end - i !== 8 ||
      !text.startsWith('HTTP/', i) ||
      text.charCodeAt(i + 6) !== 0x2e ||
      !isDigit(text.charCodeAt(i + 5)) ||
      !isDigit(text.charCodeAt(i + 7))
    ) {
      throw new ParseError('bad-start-line', 'Bad request version');
    }
    const major = text.charCodeAt(i + 5) - 0x30;
    if (major !== 1) throw new ParseError('unsupported-version', 'Invalid HTTP version');
    this.versionMinor = text.charCodeAt(i + 7) - 0x30;
    // The commonest method and target as shared constants, so comparisons with them stay cheap.
    this.method = methodEnd === 3 && text.startsWith('GET') ? 'GET' : text.slice(0, methodEnd);
    this.target =
      targetEnd - targetFrom === 1 && text.charCodeAt(targetFrom) === 0x2f
        ? '/'
        : text.slice(targetFrom, targetEnd);
    this.requestLine = text.slice(0, end);
  }

  protected finishHead(headers: Headers): {
    /** The head, complete. */
    head: RequestHead;
    /** How its body is delimited. */
    framing: BodyFraming;
  } {
    const http11 = this.versionMinor >= 1;
    let host: string | undefined;
    let hostCount = 0;
    let contentLength = -1;
    let codings: string[] | null = null;
    let connection = 0;
    let expectContinue = false;
    for (let n = headers.size, i = 0; i < n; i++) {
      const key = headers.keyAt(i);
      switch (key) {
        case 'host':
          hostCount++;
          host = headers.valueAt(i);
          break;
        case 'content-length':
          contentLength = mergeContentLength(contentLength, headers.valueAt(i));
          break;
        case 'transfer-encoding':
          codings = addTransferCodings(codings, headers.valueAt(i));
          break;
        case 'connection':
          connection |= connectionTokens(headers.valueAt(i));
          break;
        case 'expect': {
          if (!http11) break; // RFC 9110 §10.1.1: ignore Expect in HTTP/1.0 requests
          // A list (RFC 9110 §5.6.1): empty members are no expectation; anything but 100-continue fails.
          for (const expectation of splitList(headers.valueAt(i))) {
            if (expectation.toLowerCase() !== '100-continue') {
              throw new ParseError('unsupported-expectation', 'Expectation Failed');
            }
            expectContinue = true;
          }
          break;
        }
      }
    }
    if (hostCount > 1) throw new ParseError('bad-host', 'Multiple Host header fields');
    if (hostCount === 0 && http11) throw new ParseError('bad-host', 'Missing Host header field');
    if (host !== undefined && !isHost(host)) throw new ParseError('bad-host', 'Invalid Host header field');

    let framing: BodyFraming = NO_BODY;
    if (codings !== null) {
      if (!http11) throw new ParseError('conflicting-framing', 'Transfer-Encoding in an HTTP/1.0 request');
      if (contentLength >= 0)
        throw new ParseError('conflicting-framing', 'Both Content-Length and Transfer-Encoding');
      framing = chunkedFraming(codings);
    } else if (contentLength > 0) {
      framing = { kind: 'length', length: contentLength };
    }
    const head: RequestHead = {
      method: this.method,
      target: this.target,
      path: originPath(this.method, this.target, headers),
      version: http11 ? 'HTTP/1.1' : 'HTTP/1.0',
      versionMinor: this.versionMinor,
      requestLine: this.requestLine,
      headers,
      keepAlive: persists(this.versionMinor, connection),
      expectContinue,
      framing,
    };
    // The head has them now. Slices of the head's text keep all of it alive: an idle connection must not.
    this.method = this.target = this.requestLine = '';
    return { head, framing };
  }
}

/**
 * Why bytes [start, to) cannot begin a request line: a TLS handshake record (0x16, TLS version 3.x) is a
 * client speaking https to this plain port, and says so; anything else is bad syntax.
 */
function badRequestLine(bytes: Buffer, start: number, to: number): ParseError {
  if (
    to - start >= 3 &&
    bytes[start] === TLS_HANDSHAKE &&
    bytes[start + 1] === 0x03 &&
    bytes[start + 2]! <= 0x04
  ) {
    return new ParseError('tls-handshake', 'TLS handshake on a plain HTTP port');
  }
  return new ParseError('bad-start-line', 'Bad request syntax');
}

/** uri-host [":" port] (RFC 9110 §7.2), checked loosely but without a regular expression on the hot path. */
function isHost(host: string): boolean {
  if (host.charCodeAt(0) === 0x5b) return HOST_RE.test(host); // IP-literal: rare, let the regex judge
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c > 0x7f || HOST_BYTE[c] !== 1) return false;
  }
  const colon = host.indexOf(':');
  if (colon < 0) return true;
  for (let i = colon + 1; i < host.length; i++) if (!isDigit(host.charCodeAt(i))) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Folds one Content-Length field into what was seen: every value, listed or repeated, must agree. */
function mergeContentLength(seen: number, value: string): number {
  const length = parseContentLength(value);
  if (length < 0)
    throw new ParseError('bad-content-length', `Invalid Content-Length: ${JSON.stringify(value)}`);
  if (seen >= 0 && length !== seen)
    throw new ParseError('bad-content-length', 'Conflicting Content-Length values');
  return length;
}

/** RFC 9112 §6.1/§6.3: chunked must be last and only once; other codings exist but are not ours (501). */
function chunkedFraming(codings: string[]): BodyFraming {
  if (codings.length === 0 || codings[codings.length - 1] !== 'chunked') {
    throw new ParseError('conflicting-framing', 'Transfer-Encoding must end with chunked');
  }
  for (let i = 0; i < codings.length - 1; i++) {
    const c = codings[i]!;
    if (c === 'chunked') throw new ParseError('conflicting-framing', 'chunked applied more than once');
    throw new ParseError(
      'unsupported-coding',
      KNOWN_CODINGS.has(c) ? `Unsupported transfer coding: ${c}` : `Unknown transfer coding: ${c}`,
    );
  }
  return CHUNKED;
}

/**
 * The path a handler sees for each request-target form (RFC 9112 §3.2). For absolute-form, the target's
 * authority is what the request is for (§3.2.2: the Host field is ignored), so it becomes the Host value.
 */
function originPath(method: string, target: string, headers: Headers): string {
  const first = target.charCodeAt(0);
  if (first === 0x2f) return target; // origin-form, the common case
  if (target === '*') {
    if (method !== 'OPTIONS') throw new ParseError('bad-target', 'Asterisk-form is only for OPTIONS');
    return target;
  }
  if (method === 'CONNECT') {
    if (!isHost(target) || !target.includes(':')) throw new ParseError('bad-target', 'Bad CONNECT target');
    return target;
  }
  const m = ABSOLUTE_RE.exec(target);
  if (m === null) throw new ParseError('bad-target', 'Bad request target');
  const authority = m[1]!;
  // No userinfo (RFC 9110 §4.2.4 says to treat it as an error), and a host that is not empty (§4.2.1).
  if (!isHost(authority) || authority === '' || authority.charCodeAt(0) === 0x3a) {
    throw new ParseError('bad-target', 'Bad authority in request target');
  }
  headers.set('Host', authority);
  const rest = m[2]!;
  if (rest === '' || rest.startsWith('#')) return '/';
  return rest.startsWith('?') ? `/${rest}` : rest;
}

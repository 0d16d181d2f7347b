import type { Exchange } from '../../connection/exchange.js';
import type { Headers as FieldList } from '../../protocol/headers.js';
import { webRequestBody } from './request-body.js';

/**
 * The absolute URL of the exchange's request: the Host field (the absolute-form target's authority has
 * become it) or, for an HTTP/1.0 request without one, the bound address; then the path exactly as sent.
 * Null for a target that makes no URL (`OPTIONS *`, CONNECT).
 */
export function requestUrl(
  exchange: Exchange,
  scheme: string,
  bound: readonly [host: string, port: number],
): string | null {
  const head = exchange.head!;
  const path = head.path;
  if (path.charCodeAt(0) !== 0x2f) return null;
  const host =
    head.headers.get('host') ??
    (bound[0].includes(':') ? `[${bound[0]}]:${bound[1]}` : `${bound[0]}:${bound[1]}`);
  return `${scheme}://${host}${path}`;
}

/** The request's fields as web Headers: in order, repeated ones combined as the Fetch standard does. */
export function webHeaders(fields: FieldList): Headers {
  const headers = new Headers();
  for (let i = 0, n = fields.size; i < n; i++) {
    const key = fields.keyAt(i);
    // A request carries no Set-Cookie; one sent anyway is not the app's to see as a cookie.
    if (key !== 'set-cookie') headers.append(key, fields.valueAt(i));
  }
  return headers;
}

/**
 * The exchange's request as a full web `Request`: the body a stream read from the connection (none for GET
 * and HEAD), and a signal that aborts when the connection dies.
 */
export function webRequest(exchange: Exchange, url: string, headers: Headers): Request {
  const head = exchange.head!;
  const method = head.method;
  const hasBody = head.framing.kind !== 'none' && method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    body: hasBody ? webRequestBody(exchange.body) : null,
    duplex: 'half',
    signal: exchange.signal,
  });
}

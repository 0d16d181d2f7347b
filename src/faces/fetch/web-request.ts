import type { Exchange } from '../../connection/exchange.js';
import { webRequestBody } from './request-body.js';

/**
 * The exchange's request as a web `Request`: an absolute URL from the Host field (the absolute-form target's
 * authority has become it) or, for an HTTP/1.0 request without one, the bound address; the path as sent;
 * the header fields in order, repeated ones combined as the Fetch standard combines them; the body a stream
 * read from the connection (none for GET and HEAD); and a signal that aborts when the connection dies.
 * Throws a TypeError for a target that makes no URL (`OPTIONS *`, CONNECT).
 */
export function webRequest(
  exchange: Exchange,
  scheme: string,
  bound: readonly [host: string, port: number],
): Request {
  const head = exchange.head!;
  const path = head.path;
  if (path.charCodeAt(0) !== 0x2f) throw new TypeError(`no URL for the request target ${path}`);
  const fields = head.headers;
  const headers = new Headers();
  for (let i = 0, n = fields.size; i < n; i++) {
    const key = fields.keyAt(i);
    // A request carries no Set-Cookie; one sent anyway is not the app's to see as a cookie.
    if (key !== 'set-cookie') headers.append(key, fields.valueAt(i));
  }
  const host =
    fields.get('host') ?? (bound[0].includes(':') ? `[${bound[0]}]:${bound[1]}` : `${bound[0]}:${bound[1]}`);
  const method = head.method;
  const hasBody = head.framing.kind !== 'none' && method !== 'GET' && method !== 'HEAD';
  return new Request(`${scheme}://${host}${path}`, {
    method,
    headers,
    body: hasBody ? webRequestBody(exchange.body) : null,
    duplex: 'half',
    signal: exchange.signal,
  });
}

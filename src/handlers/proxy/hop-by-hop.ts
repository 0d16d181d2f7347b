import type { Headers } from '../../protocol/headers.js';
import { splitList } from '../../protocol/tokens.js';

/**
 * Fields that describe one connection, not the message, and so stop at a proxy (RFC 9110 §7.6.1):
 * Connection and the fields it names, the classic hop-by-hop list, and Transfer-Encoding (the framing of
 * this hop; the next hop frames the body again).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** The lowercase names the message's Connection fields list: hop-by-hop for this message alone. */
function connectionNamed(headers: Headers): Set<string> | null {
  const values = headers.getAll('connection');
  if (values.length === 0) return null;
  const named = new Set<string>();
  for (const value of values) for (const token of splitList(value)) named.add(token.toLowerCase());
  return named;
}

/**
 * The fields of `headers` a proxy passes on, as `[name, value]` pairs in order: hop-by-hop fields and those
 * `Connection` names are left out, and so is every lowercase name in `dropped` (fields the proxy sets itself).
 */
export function endToEndFields(headers: Headers, dropped: ReadonlySet<string>): Array<[string, string]> {
  const named = connectionNamed(headers);
  const out: Array<[string, string]> = [];
  let i = 0;
  for (const field of headers) {
    const key = headers.keyAt(i++);
    if (HOP_BY_HOP.has(key) || dropped.has(key) || named?.has(key) === true) continue;
    out.push(field);
  }
  return out;
}

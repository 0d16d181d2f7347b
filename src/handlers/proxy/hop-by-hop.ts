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

/**
 * The lowercase names the message's Connection fields list that are not already hop-by-hop: null when there
 * are none (the usual `keep-alive`), so no set is built for them.
 */
function connectionNamed(headers: Headers): Set<string> | null {
  let named: Set<string> | null = null;
  for (let i = 0; i < headers.size; i++) {
    if (headers.keyAt(i) !== 'connection') continue;
    for (const token of splitList(headers.valueAt(i))) {
      const key = token.toLowerCase();
      if (!HOP_BY_HOP.has(key)) (named ??= new Set()).add(key);
    }
  }
  return named;
}

const NOTHING_DROPPED: ReadonlySet<string> = new Set();

/**
 * The fields of `headers` a proxy passes on, as `[name, value]` pairs in order: hop-by-hop fields and those
 * `Connection` names are left out, and so is every lowercase name in `dropped` (fields the proxy sets itself;
 * none for a response, whose Date, Server and the rest go through as the backend sent them).
 */
export function endToEndFields(
  headers: Headers,
  dropped: ReadonlySet<string> = NOTHING_DROPPED,
): Array<[string, string]> {
  const named = connectionNamed(headers);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < headers.size; i++) {
    const key = headers.keyAt(i);
    if (HOP_BY_HOP.has(key) || dropped.has(key) || named?.has(key) === true) continue;
    out.push([headers.nameAt(i), headers.valueAt(i)]);
  }
  return out;
}

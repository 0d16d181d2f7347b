import type { Headers } from '../../protocol/headers.js';
import { isToken } from '../../protocol/tokens.js';

/** Where a request came from, as the proxy saw it. */
export interface ForwardingFacts {
  /** The peer's address (the connection's, not a forwarded one). */
  readonly peer: string;
  /** Whether the peer is a trusted proxy (`trustProxy`): then its forwarding fields are extended, not replaced. */
  readonly trusted: boolean;
  /** `http` or `https`: how the client reached this server. */
  readonly proto: string;
  /** The Host the client asked for, if it sent one. */
  readonly host: string | undefined;
}

/** The forwarding fields the proxy writes: the client's own are dropped, unless it is a trusted proxy. */
export const FORWARDING_FIELDS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/** A Forwarded parameter value: a token as it is, anything else quoted (RFC 7239 §4). */
function forwardedValue(value: string): string {
  if (isToken(value)) return value;
  const escaped = value.includes('"') || value.includes('\\') ? value.replace(/["\\]/g, '\\$&') : value;
  return `"${escaped}"`;
}

/** The values of a field a trusted proxy sent, joined as one list; null when it sent none (or is not trusted). */
function chain(headers: Headers, name: string, trusted: boolean): string | null {
  if (!trusted) return null;
  const values = headers.getAll(name);
  return values.length === 0 ? null : values.join(', ');
}

/**
 * `X-Forwarded-For`, `-Proto`, `-Host` and `Forwarded` (RFC 7239) for the request sent on. From a trusted
 * proxy the chain it sent is extended with its address (and its Proto/Host kept: they describe the first
 * hop); from anyone else whatever it sent is replaced, since a client can write anything there.
 */
export function forwardingFields(headers: Headers, facts: ForwardingFacts): Array<[string, string]> {
  const { peer, trusted, proto, host } = facts;
  // A socket's address: only an IPv6 one has a colon (a test, where net.isIPv6 runs a long regex per request).
  const node = peer.includes(':') ? `"[${peer}]"` : peer;
  let element = `for=${node}`;
  if (host !== undefined) element += `;host=${forwardedValue(host)}`;
  element += `;proto=${proto}`;
  const forwarded = chain(headers, 'forwarded', trusted);
  const forwardedFor = chain(headers, 'x-forwarded-for', trusted);
  const fields: Array<[string, string]> = [
    ['X-Forwarded-For', forwardedFor === null ? peer : `${forwardedFor}, ${peer}`],
    ['X-Forwarded-Proto', chain(headers, 'x-forwarded-proto', trusted) ?? proto],
  ];
  const forwardedHost = chain(headers, 'x-forwarded-host', trusted) ?? host;
  if (forwardedHost !== undefined) fields.push(['X-Forwarded-Host', forwardedHost]);
  fields.push(['Forwarded', forwarded === null ? element : `${forwarded}, ${element}`]);
  return fields;
}

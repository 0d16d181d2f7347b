import net from 'node:net';
import { addRange, addressRange, inRanges } from '../protocol/address-range.js';
import type { Headers } from '../protocol/headers.js';
import { InvalidServerOptionError } from './errors.js';

/**
 * Which peers are proxies whose forwarding headers are believed: addresses and CIDR ranges, e.g.
 * `['127.0.0.1', '::1', '10.0.0.0/8']`.
 */
export function trustedProxies(list: readonly string[]): net.BlockList {
  const trusted = new net.BlockList();
  for (const entry of list) {
    const range = addressRange(entry);
    if (range === null) throw new InvalidServerOptionError(`not an IP address or range: '${entry}'`);
    addRange(trusted, range);
  }
  return trusted;
}

/** Whether `address` is one of the trusted proxies. */
export function isTrusted(trusted: net.BlockList, address: string): boolean {
  return inRanges(trusted, address);
}

/**
 * A forwarding node as a bare address (brackets and port removed), or null for what is not one: `unknown`, an
 * obfuscated `_name` (RFC 7239 §6), or junk.
 */
function nodeAddress(node: string): string | null {
  let address = node.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  return net.isIP(address) === 0 ? null : address;
}

/** The `for=` nodes of Forwarded fields (RFC 7239), nearest proxy last. */
function forwardedFor(values: string[]): Array<string | null> {
  const out: Array<string | null> = [];
  for (const element of values.join(',').split(',')) {
    const m = /(?:^|;)\s*for=("?)([^";]*)\1/i.exec(element.trim());
    if (m !== null) out.push(nodeAddress(m[2]!));
  }
  return out;
}

/**
 * The client's address behind trusted proxies: walking the forwarding chain (Forwarded, else
 * X-Forwarded-For) from the nearest hop back, the first address that is not a trusted proxy. A peer that is
 * not trusted is the client itself, whatever headers it sent: they may be forged. A node that is not an
 * address (`unknown`, obfuscated, junk) ends the walk at the trusted hop that wrote it, so the result is
 * always an address.
 */
export function clientBehindProxies(peer: string, headers: Headers, trusted: net.BlockList): string {
  if (!isTrusted(trusted, peer)) return peer;
  const forwarded = headers.getAll('forwarded');
  const chain =
    forwarded.length > 0
      ? forwardedFor(forwarded)
      : headers
          .getAll('x-forwarded-for')
          .join(',')
          .split(',')
          .filter((s) => s.trim() !== '')
          .map(nodeAddress);
  let client = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const node = chain[i]!;
    if (node === null) break;
    client = node;
    if (!isTrusted(trusted, client)) break;
  }
  return client;
}

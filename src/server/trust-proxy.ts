import net from 'node:net';
import type { Headers } from '../protocol/headers.js';

/**
 * Which peers are proxies whose forwarding headers are believed: addresses and CIDR ranges, e.g.
 * `['127.0.0.1', '::1', '10.0.0.0/8']`.
 */
export function trustedProxies(list: readonly string[]): net.BlockList {
  const trusted = new net.BlockList();
  for (const entry of list) {
    const [address, bits] = entry.split('/');
    const family = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
    if (net.isIP(address!) === 0) throw new TypeError(`Not an IP address or range: ${entry}`);
    if (bits === undefined) trusted.addAddress(address!, family);
    else trusted.addSubnet(address!, Number(bits), family);
  }
  return trusted;
}

function isTrusted(trusted: net.BlockList, address: string): boolean {
  const family = net.isIPv6(address) ? 'ipv6' : net.isIPv4(address) ? 'ipv4' : null;
  return family !== null && trusted.check(address, family);
}

/** The `for=` nodes of a Forwarded field (RFC 7239), nearest proxy last; ports and brackets removed. */
function forwardedFor(values: string[]): string[] {
  const out: string[] = [];
  for (const element of values.join(',').split(',')) {
    const m = /(?:^|;)\s*for=("?)([^";]*)\1/i.exec(element.trim());
    if (m === null) continue;
    let node = m[2]!.trim();
    if (node.startsWith('[')) node = node.slice(1, node.indexOf(']'));
    else if (/^[\d.]+:\d+$/.test(node)) node = node.slice(0, node.indexOf(':'));
    out.push(node);
  }
  return out;
}

/**
 * The client's address behind trusted proxies: walking the forwarding chain (Forwarded, else
 * X-Forwarded-For) from the nearest hop back, the first address that is not a trusted proxy. A peer that is
 * not trusted is the client itself, whatever headers it sent: they may be forged.
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
          .map((s) => s.trim())
          .filter((s) => s !== '');
  let client = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    client = chain[i]!;
    if (!isTrusted(trusted, client)) break;
  }
  return client;
}

import net from 'node:net';
import { addRange, addressRange, inRanges } from '../protocol/address-range.js';

/** One entry of a NO_PROXY list: a name (matched as itself or a domain above the host), or IP ranges. */
type Rule =
  | { readonly name: string; readonly port: number | null }
  | { readonly ranges: net.BlockList; readonly port: number | null };

/** A host as NO_PROXY compares it: lower case, no brackets around IPv6, no trailing dot. */
function bareHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** `host`, `host:port`, `[v6]:port` (a bare IPv6 address has colons but no port) as a host and a port. */
function hostAndPort(entry: string): [string, number | null] {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return [bracketed[1]!, bracketed[2] === undefined ? null : Number(bracketed[2])];
  const withPort = /^([^:]*):(\d+)$/.exec(entry);
  return withPort === null ? [entry, null] : [withPort[1]!, Number(withPort[2])];
}

/**
 * A NO_PROXY list (`localhost,.example.com,10.0.0.0/8,[::1]:8080,*`) as a test of whether a host and port
 * bypass the proxy, by curl's rules: entries split at commas and white space, matched without regard to case;
 * `*` matches every host; a name matches itself and every name under it (`example.com` and its leading-dot
 * form `.example.com` both match `example.com` and `www.example.com`, not `notexample.com`); an IP address or
 * CIDR range matches the addresses in it (a host given as an address, not a name that resolves to one); an
 * entry with `:port` matches that port only.
 */
export function noProxyRule(list: string): (host: string, port: number) => boolean {
  const rules: Rule[] = [];
  for (const raw of list.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return () => true;
    const [host, port] = hostAndPort(raw);
    const range = addressRange(host);
    if (range !== null) {
      const ranges = new net.BlockList();
      addRange(ranges, range);
      rules.push({ ranges, port });
    } else {
      const name = bareHost(host.replace(/^\*?\./, ''));
      if (name !== '') rules.push({ name, port });
    }
  }
  return (host, port) => {
    const bare = bareHost(host);
    const ip = net.isIP(bare) !== 0;
    return rules.some((rule) => {
      if (rule.port !== null && rule.port !== port) return false;
      if ('ranges' in rule) return ip && inRanges(rule.ranges, bare);
      return !ip && (bare === rule.name || bare.endsWith(`.${rule.name}`));
    });
  };
}

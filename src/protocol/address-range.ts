import net from 'node:net';

/** An IP address or a CIDR range, as `trustProxy` and NO_PROXY lists write them. */
export interface AddressRange {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The prefix length of a CIDR range; null for one address. */
  readonly bits: number | null;
}

/**
 * `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8` as an AddressRange; null for what is neither an address nor a
 * range (a host name, a prefix longer than the family allows). The server's trusted proxies and the client's
 * NO_PROXY list both read entries with this, so they agree on what a range is.
 */
export function addressRange(entry: string): AddressRange | null {
  const [address, bits, extra] = entry.split('/');
  const family = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
  const most = family === 'ipv6' ? 128 : 32;
  if (
    net.isIP(address!) === 0 ||
    extra !== undefined ||
    (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= most))
  )
    return null;
  return { address: address!, family, bits: bits === undefined ? null : Number(bits) };
}

/** Adds a range to a BlockList (to test addresses against with `check`). */
export function addRange(list: net.BlockList, range: AddressRange): void {
  if (range.bits === null) list.addAddress(range.address, range.family);
  else list.addSubnet(range.address, range.bits, range.family);
}

/** Whether `address` (an IP; anything else is in no list) falls in one of the list's ranges. */
export function inRanges(list: net.BlockList, address: string): boolean {
  const family = net.isIPv6(address) ? 'ipv6' : net.isIPv4(address) ? 'ipv4' : null;
  return family !== null && list.check(address, family);
}

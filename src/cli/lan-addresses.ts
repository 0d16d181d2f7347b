/**
 * The machine's addresses that other hosts on the network can reach: what the banner lists as `Network:` URLs
 * and what the self-signed certificate names. One rule for both, so a URL the banner prints is one the
 * certificate covers.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/**
 * Every non-internal address, IPv4 then IPv6, without link-local IPv6 (`fe80::/10`, which needs a zone to be
 * reached) and without repeats; only IPv4 when `family` says so (a server bound to `0.0.0.0`).
 */
export function lanAddresses(
  family: 'IPv4' | 'any' = 'any',
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const found = Object.values(interfaces)
    .flatMap((infos) => infos ?? [])
    .filter((info) => !info.internal && !/^fe[89ab]/i.test(info.address))
    .filter((info) => family === 'any' || info.family === 'IPv4')
    .sort((a, b) => Number(a.family === 'IPv6') - Number(b.family === 'IPv6'))
    .map((info) => info.address);
  return [...new Set(found)];
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, from a dual-stack socket) as the plain IPv4 it is. */
export function unmappedAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

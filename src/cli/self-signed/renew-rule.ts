/**
 * When the cached server certificate must be made again: read with Node's own X509Certificate, so a run whose
 * certificate is still good never loads the X.509 library.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** A leaf this close to its end is renewed: browsers and curl refuse it the day it expires. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Whether `leaf` (null: absent or unreadable) is no longer fit: not issued by `ca`, expiring within
 * `RENEW_BEFORE_MS`, not yet valid, or not covering one of `names` (host names and IP addresses).
 */
export function leafNeedsRenewal(
  leaf: X509Certificate | null,
  ca: X509Certificate,
  names: readonly string[],
  now: number = Date.now(),
): boolean {
  if (leaf === null || !leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return true;
  if (Date.parse(leaf.validTo) - now < RENEW_BEFORE_MS || Date.parse(leaf.validFrom) > now) return true;
  return !names.every((name) =>
    isIP(name) === 0 ? leaf.checkHost(name) !== undefined : leaf.checkIP(name) !== undefined,
  );
}

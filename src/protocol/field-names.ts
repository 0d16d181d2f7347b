/**
 * Field names seen in nearly every request (in the spellings clients send) or response (the client reads
 * those). Matching the bytes against this table hands out a shared string and its lowercase key instead of
 * slicing and lowercasing each name anew: most of a small message's parsing cost is string creation.
 */
const COMMON = [
  'Host',
  'User-Agent',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Connection',
  'Content-Length',
  'Content-Type',
  'Transfer-Encoding',
  'Cookie',
  'Referer',
  'Origin',
  'Cache-Control',
  'Pragma',
  'Upgrade-Insecure-Requests',
  'If-None-Match',
  'If-Modified-Since',
  'Range',
  'If-Range',
  'Authorization',
  'Expect',
  'Sec-Fetch-Dest',
  'Sec-Fetch-Mode',
  'Sec-Fetch-Site',
  'Sec-Fetch-User',
  'DNT',
  'TE',
  'Priority',
  'X-Forwarded-For',
  'Forwarded',
  // Responses.
  'Server',
  'Date',
  'Content-Encoding',
  'Last-Modified',
  'ETag',
  'Location',
  'Vary',
  'Set-Cookie',
  'Keep-Alive',
  'Accept-Ranges',
  'Expires',
];

interface Known {
  readonly name: string;
  readonly key: string;
  /** The name's bytes, compared in place with the received ones. */
  readonly bytes: Uint8Array;
}

/** Candidates by length; both the canonical and the all-lowercase spelling (HTTP/2-minded clients). */
const BY_LENGTH: Known[][] = [];
for (const name of COMMON) {
  const key = name.toLowerCase();
  for (const spelling of new Set([name, key])) {
    (BY_LENGTH[name.length] ??= []).push({ name: spelling, key, bytes: Buffer.from(spelling, 'latin1') });
  }
}

/**
 * The shared name and key for the field name in bytes [start, end) if it is a common one, else undefined.
 * Comparing in place makes no string; a hit hands out constants instead of a new name.
 */
export function knownFieldName(bytes: Uint8Array, start: number, end: number): Known | undefined {
  const n = end - start;
  const candidates = BY_LENGTH[n];
  if (candidates === undefined) return undefined;
  const first = bytes[start];
  next: for (const c of candidates) {
    const name = c.bytes;
    if (name[0] !== first) continue;
    for (let j = 1; j < n; j++) if (name[j] !== bytes[start + j]) continue next;
    return c;
  }
  return undefined;
}

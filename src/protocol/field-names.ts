/**
 * Field names seen in nearly every request, in the spellings clients send. Matching the bytes against
 * this table hands out a shared string and its lowercase key instead of decoding and lowercasing each name
 * anew: most of a small request's parsing cost is string creation.
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
];

interface Known {
  readonly name: string;
  readonly key: string;
}

/** Candidates by length; both the canonical and the all-lowercase spelling (HTTP/2-minded clients). */
const BY_LENGTH: Known[][] = [];
for (const name of COMMON) {
  const key = name.toLowerCase();
  for (const spelling of new Set([name, key])) (BY_LENGTH[name.length] ??= []).push({ name: spelling, key });
}

/** The shared name for the bytes in [start, end) if it is a common one, else undefined. */
export function knownFieldName(buf: Buffer, start: number, end: number): Known | undefined {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  outer: for (const c of candidates) {
    const name = c.name;
    for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) continue outer;
    return c;
  }
  return undefined;
}

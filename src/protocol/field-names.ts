/**
 * Field names seen in nearly every request (in the spellings clients send) or response (the client reads
 * those). Matching the text against this table hands out a shared string and its lowercase key instead of
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
  /** The first character code, to pass over most candidates without a call. */
  readonly first: number;
}

/** Candidates by length; both the canonical and the all-lowercase spelling (HTTP/2-minded clients). */
const BY_LENGTH: Known[][] = [];
for (const name of COMMON) {
  const key = name.toLowerCase();
  for (const spelling of new Set([name, key]))
    (BY_LENGTH[name.length] ??= []).push({ name: spelling, key, first: spelling.charCodeAt(0) });
}

/**
 * The shared name and key for the field name in [start, end) of `text` if it is a common one, else
 * undefined. Comparing in place makes no string; a hit hands out constants instead of a new name.
 */
export function knownFieldName(text: string, start: number, end: number): Known | undefined {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  const first = text.charCodeAt(start);
  for (const c of candidates) if (c.first === first && text.startsWith(c.name, start)) return c;
  return undefined;
}

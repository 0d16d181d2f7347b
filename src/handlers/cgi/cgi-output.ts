/** What a CGI script's header block says (RFC 3875 §6). */
export interface CGIHead {
  status: number;
  reason: string | undefined;
  location: string | undefined;
  /** The other header fields, in order. */
  fields: Array<[string, string]>;
}

/** Longest header block a script may write before its body. */
export const MAX_CGI_HEAD_BYTES = 64 * 1024;

/**
 * Finds the end of the script's header block in `data` (a blank line, LF or CRLF): the index where the body
 * starts, or -1 if the block is not complete yet.
 */
export function cgiHeadEnd(data: Buffer): number {
  const lf = data.indexOf('\n\n');
  const crlf = data.indexOf('\r\n\r\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

/**
 * Parses a header block. Throws on a malformed line or status: the server then answers 502, since the
 * script's response cannot be trusted to be what it meant.
 */
export function parseCGIHead(text: string): CGIHead {
  const head: CGIHead = { status: 200, reason: undefined, location: undefined, fields: [] };
  let sawStatus = false;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new Error(`malformed header line from the script: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const key = name.toLowerCase();
    if (key === 'status') {
      const m = /^(\d{3})(?:\s+(.*))?$/.exec(value);
      if (m === null) throw new Error(`malformed Status from the script: ${JSON.stringify(value)}`);
      head.status = Number(m[1]);
      head.reason = m[2];
      sawStatus = true;
    } else if (key === 'location') {
      head.location = value;
      head.fields.push([name, value]);
    } else {
      head.fields.push([name, value]);
    }
  }
  // RFC 3875 §6.2.3: a client redirect without a Status is a 302.
  if (head.location !== undefined && !head.location.startsWith('/') && !sawStatus) head.status = 302;
  return head;
}

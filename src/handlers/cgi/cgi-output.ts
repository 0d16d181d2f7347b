import { isFieldValue, isToken } from '../../protocol/tokens.js';

/** What a CGI script's header block says (RFC 3875 §6). */
export interface CGIHead {
  status: number;
  reason: string | undefined;
  /**
   * A local path (`/path?query`, no Status given) to serve in place of the script's response (RFC 3875
   * §6.2.2); null for a document or a client redirect.
   */
  localRedirect: string | null;
  /** The other header fields, in order (a client redirect's Location among them). */
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
 * Parses a header block. Throws on a malformed line, a field that could not be sent on (not a token name, a
 * control character in the value) or a status that is not a final one (200–599): the server then answers
 * 502, since the script's response cannot be trusted to be what it meant.
 */
export function parseCGIHead(text: string): CGIHead {
  const head: CGIHead = { status: 200, reason: undefined, localRedirect: null, fields: [] };
  let sawStatus = false;
  let location: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!isToken(name))
      throw new Error(`malformed header line from the script: ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    if (!isFieldValue(value))
      throw new Error(`malformed value for ${name} from the script: ${JSON.stringify(value.slice(0, 80))}`);
    const key = name.toLowerCase();
    if (key === 'status') {
      const m = /^([2-5]\d\d)(?:\s+(.*))?$/.exec(value);
      if (m === null) throw new Error(`malformed Status from the script: ${JSON.stringify(value)}`);
      head.status = Number(m[1]);
      head.reason = m[2];
      sawStatus = true;
    } else {
      if (key === 'location') location = value;
      head.fields.push([name, value]);
    }
  }
  if (location === undefined || sawStatus) return head;
  // RFC 3875 §6.2: a path (but not `//host/…`, a network-path reference) is a local redirect; anything else
  // is a client redirect, a 302 when the script gave no Status.
  if (/^\/(?!\/)/.test(location)) {
    head.localRedirect = location;
    head.fields = [];
  } else {
    head.status = 302;
  }
  return head;
}

import type { HTTPResponse } from '../../client/response.js';
import { BODY_END } from '../../protocol/message-reader.js';
import type { Headers } from '../../protocol/headers.js';
import { namesMediaType } from '../../protocol/weighted-lists.js';
import { isHtmlType } from '../static/live-reload/inject.js';

/**
 * The largest proxied page read whole to put the live-reload script in. A page announced as bigger goes
 * through as it came; one of unknown length that grows past it is sent on as it came from there on.
 */
export const MAX_LIVE_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Whether a request is a page navigation whose answer could take the script: GET or HEAD accepting HTML.
 * With live reload on, the proxy asks the backend for such a page uncompressed, so the script can go in.
 */
export function isNavigation(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return namesMediaType(headers.get('accept'), 'text/html');
}

/**
 * Whether the backend's answer to a navigation is a whole HTML page the proxy may rewrite: a 200, HTML, with
 * no content coding (a compressed body the server did not produce is never touched) and not announced as
 * bigger than MAX_LIVE_PAGE_BYTES.
 */
export function isLivePage(res: HTTPResponse): boolean {
  if (res.status !== 200) return false;
  const type = res.headers.get('content-type');
  if (type === undefined || !isHtmlType(type)) return false;
  const coding = res.headers.get('content-encoding');
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') return false;
  const length = res.headers.get('content-length');
  return length === undefined || Number(length) <= MAX_LIVE_PAGE_BYTES;
}

/** A page read for rewriting: whole, or the pieces read before it proved too big (the rest still to come). */
export type ReadPage = { whole: true; bytes: Buffer } | { whole: false; pieces: Buffer[] };

/** Reads the answer's body up to MAX_LIVE_PAGE_BYTES; throws as the response's reads do when it fails. */
export async function readPage(res: HTTPResponse): Promise<ReadPage> {
  const pieces: Buffer[] = [];
  let size = 0;
  for (;;) {
    const piece = res.readAvailable();
    if (piece === BODY_END) return { whole: true, bytes: Buffer.concat(pieces, size) };
    if (piece === null) {
      await res.whenReadable();
      continue;
    }
    pieces.push(piece);
    size += piece.length;
    if (size > MAX_LIVE_PAGE_BYTES) return { whole: false, pieces };
  }
}

/** A strong ETag made weak (`W/"…"`): the page sent is no longer byte for byte the backend's. */
export function weakened(etag: string): string {
  return etag.startsWith('W/') ? etag : `W/${etag}`;
}

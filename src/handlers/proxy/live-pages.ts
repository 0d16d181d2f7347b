import type { HTTPResponse } from '../../client/response.js';
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

/** A strong ETag made weak (`W/"…"`): the page sent is no longer byte for byte the backend's. */
export function weakened(etag: string): string {
  return etag.startsWith('W/') ? etag : `W/${etag}`;
}

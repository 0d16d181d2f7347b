/** Puts the live-reload script into an HTML page. */
import { mediaType } from '../../../protocol/media-type.js';
import { LIVE_SCRIPT } from './client-script.js';

const SCRIPT_BYTES = Buffer.from(LIVE_SCRIPT);
const BODY_END = /<\/body\s*>/gi;

/**
 * The page with the script before its last `</body>` (any case), or at its end when it has none: browsers
 * run a script after the body too, and a fragment or a page cut short still gets it.
 */
export function injectLiveScript(page: Buffer): Buffer {
  const text = page.toString('latin1'); // one char per byte: an index in it is a byte offset
  let at = -1;
  for (const match of text.matchAll(BODY_END)) at = match.index;
  if (at < 0) return Buffer.concat([page, SCRIPT_BYTES]);
  return Buffer.concat([page.subarray(0, at), SCRIPT_BYTES, page.subarray(at)]);
}

/** The length of a page of `length` bytes once `injectLiveScript` has put the script in: what a HEAD announces. */
export function injectedLength(length: number): number {
  return length + SCRIPT_BYTES.length;
}

/** Whether a Content-Type is HTML, the only kind of response the script goes into. */
export function isHtmlType(type: string): boolean {
  return mediaType(type) === 'text/html';
}

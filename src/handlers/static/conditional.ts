import type { Headers } from '../../protocol/headers.js';
import { parseHttpDate } from '../../protocol/http-date.js';

/** What a response's validators are: a strong ETag and Last-Modified (whole seconds, ms since epoch). */
export interface Validators {
  etag: string;
  lastModified: number;
}

/** The outcome of the precondition checks of RFC 9110 §13.2.2. */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

/** The entity-tags of an If-Match / If-None-Match value; `*` stands for any. */
function tags(value: string): string[] {
  return value.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

function strongMatch(list: string[], etag: string): boolean {
  return list.some((t) => t === '*' || (!t.startsWith('W/') && !etag.startsWith('W/') && t === etag));
}

function weakMatch(list: string[], etag: string): boolean {
  return list.some((t) => t === '*' || opaque(t) === opaque(etag));
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the order RFC 9110 §13.2.2
 * gives: If-None-Match wins over If-Modified-Since, and a date that does not parse is ignored.
 */
export function checkPreconditions(method: string, headers: Headers, v: Validators): Precondition {
  const ifMatch = headers.get('if-match');
  if (ifMatch !== undefined) {
    if (!strongMatch(tags(ifMatch), v.etag)) return 'failed';
  } else {
    const since = headers.get('if-unmodified-since');
    const date = since === undefined ? NaN : parseHttpDate(since);
    if (!Number.isNaN(date) && v.lastModified > date) return 'failed';
  }
  const safe = method === 'GET' || method === 'HEAD';
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (weakMatch(tags(ifNoneMatch), v.etag)) return safe ? 'not-modified' : 'failed';
    return 'proceed';
  }
  const modifiedSince = headers.get('if-modified-since');
  if (safe && modifiedSince !== undefined) {
    const date = parseHttpDate(modifiedSince);
    if (!Number.isNaN(date) && v.lastModified <= date) return 'not-modified';
  }
  return 'proceed';
}

/** If-Range (RFC 9110 §13.1.5): a strong ETag that matches, or exactly the Last-Modified date. */
export function ifRangeHolds(headers: Headers, v: Validators): boolean {
  const value = headers.get('if-range');
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/'))
    return !trimmed.startsWith('W/') && trimmed === v.etag;
  return parseHttpDate(trimmed) === v.lastModified;
}

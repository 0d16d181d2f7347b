import { FetchFailed, InvalidURL } from '../errors.js';
import type { RequestBody } from '../outgoing-request.js';
import type { FetchInit } from './fetch.js';

/** A fetch's request as the Pool sends it: what the input and init said, the standard's defaults added. */
export interface FetchInput {
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  body: RequestBody | null;
  signal: AbortSignal | undefined;
  redirect: RequestRedirect;
  /** Set when the body must be read first (a Blob, FormData, or a Request's body): resolves to it. */
  pending: Promise<Uint8Array> | null;
}

type RequestRedirect = 'follow' | 'manual' | 'error';

/** Methods the standard uppercases whatever their case; others are sent as written (`patch` stays). */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/** Methods fetch refuses (Fetch standard: forbidden methods). */
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** What fetch adds when the caller did not: any type, the codings it decodes (as undici's fetch does). */
const DEFAULTS: ReadonlyArray<[string, string]> = [
  ['accept', '*/*'],
  ['accept-encoding', 'gzip, deflate, br'],
];

function refuse(message: string, cause?: Error): FetchFailed {
  return new FetchFailed(message, cause === undefined ? undefined : { cause });
}

/**
 * Reads `input` and `init` as the Request constructor would (the init's fields over the Request's), without
 * building a Request: the URL (http or https, no credentials), the method, the fields as pairs with the
 * defaults added, and the body with its Content-Type. Misuse throws a FetchFailed (a TypeError, as there).
 */
export function fetchInput(input: string | URL | Request, init: FetchInit | undefined): FetchInput {
  const request = input instanceof Request ? input : null;
  const href = request !== null ? request.url : input instanceof URL ? input.href : (input as string);
  let url: URL;
  try {
    url = new URL(href);
  } catch (err) {
    throw refuse(`Invalid URL: ${JSON.stringify(href)}`, new InvalidURL('Invalid URL', { cause: err }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refuse(`${url.protocol} URLs are not supported: only http: and https:`);
  if (url.username !== '' || url.password !== '')
    throw refuse('a URL with credentials cannot be fetched: send an Authorization field instead');
  let method = init?.method ?? request?.method ?? 'GET';
  const upper = method.toUpperCase();
  if (NORMALIZED.has(upper)) method = upper;
  else if (FORBIDDEN.has(upper)) throw refuse(`${method} is a forbidden method for fetch`);
  const signal = init?.signal ?? request?.signal ?? undefined;
  const redirect = init?.redirect ?? request?.redirect ?? 'follow';
  const given = init?.headers ?? request?.headers;
  const headers: Array<[string, string]> = [];
  if (given instanceof Headers || Array.isArray(given)) {
    for (const [name, value] of given as Iterable<[string, string]>) headers.push([name, value]);
  } else if (given !== undefined) {
    for (const name of Object.keys(given)) {
      const value = given[name]!;
      if (typeof value === 'string') headers.push([name, value]);
      else for (const each of value) headers.push([name, each]);
    }
  }
  let body: RequestBody | null = null;
  let pending: Promise<Uint8Array> | null = null;
  let type: string | null = null;
  const source = init !== undefined && 'body' in init ? (init.body ?? null) : null;
  if (source !== null) {
    if (typeof source === 'string') {
      body = source;
      type = 'text/plain;charset=UTF-8';
    } else if (source instanceof URLSearchParams) {
      body = source.toString();
      type = 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (source instanceof ArrayBuffer) {
      body = new Uint8Array(source);
    } else if (ArrayBuffer.isView(source)) {
      body = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    } else if (source instanceof ReadableStream || Symbol.asyncIterator in Object(source)) {
      if (init?.duplex !== 'half') throw refuse('a streamed body needs duplex: "half"');
      body = source as AsyncIterable<Uint8Array>;
    } else {
      // Blob and FormData: the platform's own extraction gives the bytes and the type (a boundary).
      const extracted = new Response(source as Blob);
      type = extracted.headers.get('content-type');
      pending = extracted.arrayBuffer().then((bytes) => new Uint8Array(bytes));
    }
  } else if (request?.body != null && !(init !== undefined && 'body' in init)) {
    pending = request.arrayBuffer().then((bytes) => new Uint8Array(bytes));
  }
  if ((body !== null || pending !== null) && (method === 'GET' || method === 'HEAD'))
    throw refuse(`a ${method} request cannot have a body`);
  let hasAccept = false;
  let hasEncoding = false;
  let hasType = false;
  for (const [name] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'accept') hasAccept = true;
    else if (lower === 'accept-encoding') hasEncoding = true;
    else if (lower === 'content-type') hasType = true;
  }
  if (type !== null && !hasType) headers.push(['content-type', type]);
  if (!hasAccept) headers.push(DEFAULTS[0]!);
  if (!hasEncoding) headers.push(DEFAULTS[1]!);
  return { url, method, headers, body, signal, redirect, pending };
}

import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { RequestBody } from './outgoing-request.js';
import { Pool, type PoolOptions } from './pool.js';
import type { HTTPResponse } from './response.js';

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: RequestBody | null;
  signal?: AbortSignal;
  /** Milliseconds for connecting and for each wait on the server. */
  timeout?: number;
  /** Redirects to follow (301, 302, 303, 307, 308). Default 0: a redirect is returned as it is. */
  maxRedirects?: number;
  /** Ask for gzip, br and deflate and decode them. Default false. */
  decompress?: boolean;
  /** Pool settings for origins first seen by this call. */
  pool?: PoolOptions;
}

/** The result of `request()`: a pooled response plus where it came from after redirects. */
export interface ClientResponse {
  status: number;
  statusText: string;
  headers: HTTPResponse['headers'];
  /** The URL of the final response. */
  url: string;
  /** The body, decoded when `decompress` was asked and the server compressed it. */
  body: AsyncIterable<Buffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<Buffer>;
}

const pools = new Map<string, Pool>();

/** The shared pool for an origin (one per scheme, host and port). */
export function poolFor(url: URL, options?: PoolOptions): Pool {
  let pool = pools.get(url.origin);
  if (pool === undefined) pools.set(url.origin, (pool = new Pool(url.origin, options)));
  return pool;
}

/** Closes every shared pool (idle connections now, busy ones when done). */
export function closeAllPools(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A request over the shared keep-alive pools, as `undici.request`: follows redirects only when asked (and
 * never carries Authorization or Cookie to another origin), decodes gzip/br/deflate only when asked.
 */
export async function request(url: string | URL, options: FetchOptions = {}): Promise<ClientResponse> {
  let target = new URL(url);
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body ?? null;
  let headers: Record<string, string | number> = { ...options.headers };
  if (options.decompress && !Object.keys(headers).some((k) => k.toLowerCase() === 'accept-encoding')) {
    headers['Accept-Encoding'] = 'gzip, br, deflate';
  }
  for (let hops = 0; ; hops++) {
    const pool = poolFor(target, { timeout: options.timeout, ...options.pool });
    const res = await pool.request({
      method,
      path: `${target.pathname}${target.search}`,
      headers,
      body,
      signal: options.signal,
    });
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || location === undefined || hops >= (options.maxRedirects ?? 0)) {
      return finish(res, target, options.decompress ?? false);
    }
    await res.dump();
    const next = new URL(location, target);
    if (next.origin !== target.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)),
      );
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = null;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    target = next;
  }
}

function finish(res: HTTPResponse, url: URL, decompress: boolean): ClientResponse {
  const coding = decompress ? (res.headers.get('content-encoding') ?? '').trim().toLowerCase() : '';
  const decoder =
    coding === 'gzip' || coding === 'x-gzip'
      ? zlib.createGunzip()
      : coding === 'br'
        ? zlib.createBrotliDecompress()
        : coding === 'deflate'
          ? zlib.createInflate()
          : null;
  const body: AsyncIterable<Buffer> = decoder === null ? res : decode(res, decoder);
  const arrayBuffer = async (): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const piece of body) parts.push(piece);
    return Buffer.concat(parts);
  };
  return {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    url: url.href,
    body,
    arrayBuffer,
    text: async () => (await arrayBuffer()).toString('utf8'),
    json: async () => JSON.parse((await arrayBuffer()).toString('utf8')) as unknown,
  };
}

/** Streams `source` through a zlib decoder (async iteration keeps memory flat). */
async function* decode(
  source: AsyncIterable<Buffer>,
  decoder: zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate,
): AsyncGenerator<Buffer> {
  const out = new PassThrough();
  const done = pipeline(source, decoder, out);
  for await (const piece of out) yield piece as Buffer;
  await done;
}

import { PassThrough, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { RequestBody } from './outgoing-request.js';
import { parseURL } from './parse-url.js';
import { Pool, type PoolOptions } from './pool.js';
import { proxyURLFor, type ProxyOptions } from './proxy.js';
import type { HTTPResponse } from './response.js';

/**
 * Options of `request()`, as undici's. `proxy` (a URL, or `'env'` for the environment's, as undici's
 * EnvHttpProxyAgent) and `noProxy` are settled for each URL, redirects included.
 */
export interface FetchOptions extends ProxyOptions {
  /** Default GET. */
  method?: string;
  /** Fields to send; Host and the body's framing are added unless given. */
  headers?: Record<string, string | number>;
  /** Bytes, a string, or a stream (sent chunked unless a Content-Length is given). */
  body?: RequestBody | null;
  /** Aborting fails the request (or its body) with the signal's reason and closes its connection. */
  signal?: AbortSignal;
  /** Milliseconds for connecting and for each wait on the server. Default 30 000. */
  timeout?: number;
  /** Redirects to follow (301, 302, 303, 307, 308). Default 0: a redirect is returned as it is. */
  maxRedirects?: number;
  /** Ask for gzip, br and deflate and decode them. Default false. */
  decompress?: boolean;
  /** Settings of the shared pool (connections, TLS...); requests with different settings get different pools. */
  pool?: PoolOptions;
  /** Called with each request head as it is written, redirects included (`basehttp get -v`). */
  trace?: (head: string) => void;
  /** Connect to this Unix domain socket, whatever the URL's host and port (which still make the Host field). */
  socketPath?: string;
}

/** The result of `request()`: the response, decoded when asked, and where it came from after redirects. */
export interface ClientResponse {
  /** The status code, e.g. 200. */
  status: number;
  /** The reason phrase as the server sent it. */
  statusText: string;
  /** 11 for HTTP/1.1, 10 for HTTP/1.0. */
  version: number;
  /** Response fields, case-insensitive. */
  headers: HTTPResponse['headers'];
  /** The URL of the final response. */
  url: string;
  /** The body, decoded when `decompress` was asked and the server compressed it. */
  body: AsyncIterable<Buffer>;
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
  /** The whole body parsed as JSON. */
  json(): Promise<unknown>;
  /** The whole body as bytes. */
  arrayBuffer(): Promise<Buffer>;
}

const pools = new Map<string, Pool>();
/** Numbers for CA values, so that pools with different trusted CAs never mix. */
const caIds = { strings: new Map<string, number>(), objects: new WeakMap<object, number>(), next: 0 };

function caId(ca: NonNullable<NonNullable<PoolOptions['tls']>['ca']>): number {
  if (typeof ca === 'string') {
    let id = caIds.strings.get(ca);
    if (id === undefined) caIds.strings.set(ca, (id = caIds.next++));
    return id;
  }
  let id = caIds.objects.get(ca);
  if (id === undefined) caIds.objects.set(ca, (id = caIds.next++));
  return id;
}

/**
 * The shared pool for an origin and settings: a request made with `rejectUnauthorized: false` (or another CA,
 * or another timeout) never lands on a pool made for different ones.
 */
export function poolFor(url: URL, options: PoolOptions = {}): Pool {
  const { tls } = options;
  // The environment is read now, for this URL: the pool then goes by the URL found (or goes direct).
  const proxy = proxyURLFor(url, options) ?? undefined;
  const key = [
    url.origin,
    proxy,
    options.socketPath,
    options.connections,
    options.pipelining,
    options.timeout,
    options.idleTimeout,
    options.continueTimeout,
    tls?.rejectUnauthorized,
    tls?.servername,
    tls?.ca === undefined ? undefined : caId(tls.ca),
  ].join(' ');
  let pool = pools.get(key);
  if (pool === undefined)
    pools.set(key, (pool = new Pool(url.origin, { ...options, proxy, noProxy: undefined })));
  return pool;
}

/** Closes every shared pool (idle connections now, busy ones when done). */
export function closeAllPools(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Whether a body can be sent a second time (a stream is used up by the first). */
function replayable(body: RequestBody | null): boolean {
  return body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * A request over the shared keep-alive pools, as `undici.request`: follows redirects only when asked (and
 * never carries Authorization or Cookie to another origin), decodes gzip/br/deflate only when asked.
 */
export async function request(url: string | URL, options: FetchOptions = {}): Promise<ClientResponse> {
  let target = parseURL(url);
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body ?? null;
  let headers: Record<string, string | number> = { ...options.headers };
  if (options.decompress && !Object.keys(headers).some((name) => name.toLowerCase() === 'accept-encoding')) {
    headers['Accept-Encoding'] = 'gzip, br, deflate';
  }
  const poolOptions: PoolOptions = { ...options.pool };
  if (options.timeout !== undefined) poolOptions.timeout = options.timeout;
  if (options.proxy !== undefined) poolOptions.proxy = options.proxy;
  if (options.noProxy !== undefined) poolOptions.noProxy = options.noProxy;
  if (options.socketPath !== undefined) poolOptions.socketPath = options.socketPath;
  for (let hops = 0; ; hops++) {
    const res = await poolFor(target, poolOptions).request({
      method,
      path: `${target.pathname}${target.search}`,
      headers,
      body,
      signal: options.signal,
      trace: options.trace,
    });
    const location = res.headers.get('location');
    const status = res.status;
    const changesToGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
    if (
      !REDIRECTS.has(status) ||
      location === undefined ||
      hops >= (options.maxRedirects ?? 0) ||
      // 307 and 308 repeat the request with its body: a stream already sent cannot be.
      (!changesToGet && !replayable(body))
    ) {
      return finish(res, target, options.decompress ?? false);
    }
    await res.dump();
    const next = parseURL(location, target);
    if (next.origin !== target.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(
          ([name]) => !/^(authorization|cookie|proxy-authorization)$/i.test(name),
        ),
      );
    }
    if (changesToGet) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = null;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-/i.test(name)));
    }
    target = next;
  }
}

function finish(res: HTTPResponse, url: URL, decompress: boolean): ClientResponse {
  const coding = decompress ? (res.headers.get('content-encoding') ?? '').trim().toLowerCase() : '';
  const encoded = coding === 'gzip' || coding === 'x-gzip' || coding === 'br' || coding === 'deflate';
  const body: AsyncIterable<Buffer> = encoded ? decode(res, coding) : res;
  const arrayBuffer = async (): Promise<Buffer> => {
    if (!encoded) return res.read();
    const parts: Buffer[] = [];
    for await (const piece of body) parts.push(piece);
    return Buffer.concat(parts);
  };
  return {
    status: res.status,
    statusText: res.reason,
    version: res.version,
    headers: res.headers,
    url: url.href,
    body,
    arrayBuffer,
    text: async () => (await arrayBuffer()).toString('utf8'),
    json: async () => JSON.parse((await arrayBuffer()).toString('utf8')) as unknown,
  };
}

/**
 * The decoder for a content coding. `deflate` is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some
 * servers send a bare deflate stream: the first bytes tell which.
 */
function decoderFor(coding: string, first: Buffer): Transform {
  if (coding === 'br') return zlib.createBrotliDecompress();
  if (coding !== 'deflate') return zlib.createGunzip();
  const zlibHeader =
    first.length < 2 || ((first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0);
  return zlibHeader ? zlib.createInflate() : zlib.createInflateRaw();
}

/** Streams `source` through the decoder for `coding` (async iteration keeps memory flat). */
async function* decode(source: AsyncIterable<Buffer>, coding: string): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  };
  const out = new PassThrough();
  const done = pipeline(rest(), decoderFor(coding, first.value), out);
  for await (const piece of out) yield piece as Buffer;
  await done;
}

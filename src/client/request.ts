import { codingsToUndo, decode } from './decode.js';
import { replayable, type RequestBody } from './outgoing-request.js';
import type { HeadTrace } from './head-trace.js';
import { parseURL } from './parse-url.js';
import { proxyURLFor, type ProxyOptions } from './proxy.js';
import { Pool, type PoolOptions, type PoolRequest } from './pool.js';
import { droppedOnRedirect, redirectDropsBody, REDIRECT_STATUSES } from './redirect.js';
import type { HTTPResponse } from './response.js';
import { RetryPolicy, type RetryOptions } from './retry.js';

/**
 * Options of `request()`, as undici's. `proxy` (a URL, or `'env'` for the environment's, as undici's
 * EnvHttpProxyAgent) and `noProxy` are settled for each URL, redirects included.
 */
export interface FetchOptions extends ProxyOptions {
  /** Default GET. Sent as given: methods are case-sensitive (RFC 9110 §9.1). */
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
  /**
   * Called with each request head as it is written, redirects included, and through a forward proxy with the
   * CONNECT for a tunnel and the proxy's answer (`basehttp get -v`).
   */
  trace?: HeadTrace;
  /** Connect to this Unix domain socket, whatever the URL's host and port (which still make the Host field). */
  socketPath?: string;
  /** Opt-in retries of failed or refused attempts (see RetryOptions). Default none. */
  retry?: RetryOptions;
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
    options.connectTimeout,
    options.headersTimeout,
    options.bodyTimeout,
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

/**
 * A request over the shared keep-alive pools, as `undici.request`: follows redirects only when asked (and
 * never carries Authorization or Cookie to another origin), decodes gzip/br/deflate only when asked.
 */
export async function request(url: string | URL, options: FetchOptions = {}): Promise<ClientResponse> {
  let target = parseURL(url);
  let method = options.method ?? 'GET';
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
  const retry = options.retry === undefined ? null : new RetryPolicy(options.retry);
  for (let hops = 0; ; hops++) {
    const pool = poolFor(target, poolOptions);
    const sent: PoolRequest = {
      method,
      path: `${target.pathname}${target.search}`,
      headers,
      body,
      signal: options.signal,
      trace: options.trace,
    };
    const res = await (retry === null ? pool.request(sent) : retry.send(sent, (r) => pool.request(r)));
    const location = res.headers.get('location');
    const status = res.status;
    const changesToGet = redirectDropsBody(status, method);
    if (
      !REDIRECT_STATUSES.has(status) ||
      location === undefined ||
      hops >= (options.maxRedirects ?? 0) ||
      // 307 and 308 repeat the request with its body: a stream already sent cannot be.
      (!changesToGet && !replayable(body))
    ) {
      return finish(res, target, options.decompress ?? false);
    }
    await res.dump();
    const next = parseURL(location, target);
    const crossOrigin = next.origin !== target.origin;
    headers = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !droppedOnRedirect(name, crossOrigin, changesToGet)),
    );
    if (changesToGet) {
      method = 'GET';
      body = null;
    }
    target = next;
  }
}

function finish(res: HTTPResponse, url: URL, decompress: boolean): ClientResponse {
  const codings = decompress ? codingsToUndo(res.headers.get('content-encoding')) : null;
  const body: AsyncIterable<Buffer> = codings !== null ? decode(res, codings) : res;
  const arrayBuffer = async (): Promise<Buffer> => {
    if (codings === null) return res.read();
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

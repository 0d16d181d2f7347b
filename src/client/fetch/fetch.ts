import { FetchFailed, RedirectRefused, TooManyRedirects } from '../errors.js';
import { replayable } from '../outgoing-request.js';
import { Pool, type PoolOptions, type PoolRequest } from '../pool.js';
import { droppedOnRedirect, redirectDropsBody, REDIRECT_STATUSES } from '../redirect.js';
import { poolFor } from '../request.js';
import type { HTTPResponse } from '../response.js';
import { RetryPolicy, type RetryOptions } from '../retry.js';
import { fetchInput } from './fetch-input.js';
import { fetchResponse } from './fetch-response.js';

/** The Fetch standard's limit on redirects followed. */
const MAX_REDIRECTS = 20;

/** `fetch()`'s init: the standard `RequestInit`, plus where to send it and whether to retry. */
export interface FetchInit extends RequestInit {
  /**
   * A `Pool` for requests to its origin (others, after a redirect, go to the shared pools), or the settings
   * of the shared pools (connections, timeouts, TLS). Default: one shared pool per origin.
   */
  pool?: Pool | PoolOptions;
  /** Opt-in retries of failed or refused attempts (see RetryOptions). Default none. */
  retry?: RetryOptions;
}

/**
 * The standard `fetch()` on basehttp's keep-alive pools: the global web `Request`, `Headers` and
 * `Response`, streamed bodies both ways (`duplex: 'half'` for a request stream), abort through
 * `AbortSignal` (an abort rejects with the signal's reason, a network failure with a FetchFailed: a
 * TypeError), redirects as the standard follows them, gzip, deflate and br decoded. Not supported: CORS
 * modes, the HTTP cache, credentials and cookies, and schemes other than http and https (docs/client.md).
 */
export async function fetch(input: string | URL | Request, init?: FetchInit): Promise<Response> {
  const req = fetchInput(input, init);
  const signal = req.signal;
  const failure = (err: unknown): unknown =>
    signal?.aborted === true && err === signal.reason ? err : new FetchFailed('fetch failed', { cause: err });
  if (signal?.aborted) throw signal.reason;
  let body = req.pending === null ? req.body : await req.pending;
  let { url, method, headers } = req;
  const poolOption = init?.pool;
  const retry = init?.retry === undefined ? null : new RetryPolicy(init.retry);
  for (let redirects = 0; ;) {
    const pool =
      poolOption instanceof Pool && poolOption.url.origin === url.origin
        ? poolOption
        : poolFor(url, poolOption instanceof Pool ? undefined : poolOption);
    const sent: PoolRequest = { method, path: `${url.pathname}${url.search}`, headers, body, signal };
    let res: HTTPResponse;
    try {
      res = await (retry === null ? pool.request(sent) : retry.send(sent, (r) => pool.request(r)));
    } catch (err) {
      throw failure(err);
    }
    const location = res.headers.get('location');
    if (!REDIRECT_STATUSES.has(res.status) || location === undefined || req.redirect === 'manual') {
      return fetchResponse(res, url, redirects > 0, method, failure);
    }
    const next = redirectTarget(res, url, location, req.redirect, ++redirects);
    const dropsBody = redirectDropsBody(res.status, method);
    if (!dropsBody && !replayable(body)) {
      res.close();
      throw refused(
        new RedirectRefused(`a ${res.status} redirect repeats the body, and a streamed one cannot be`),
      );
    }
    try {
      await res.dump();
    } catch (err) {
      throw failure(err);
    }
    const crossOrigin = next.origin !== url.origin;
    if (crossOrigin || dropsBody)
      headers = headers.filter(([name]) => !droppedOnRedirect(name, crossOrigin, dropsBody));
    if (dropsBody) {
      method = 'GET';
      body = null;
    }
    url = next;
  }
}

/** Where a redirect leads, or a FetchFailed when it may not be followed (the connection is closed then). */
function redirectTarget(res: HTTPResponse, url: URL, location: string, mode: string, count: number): URL {
  let next: URL | null = null;
  let cause: Error;
  try {
    next = new URL(location, url);
  } catch {
    // cause set below
  }
  if (mode === 'error') cause = new RedirectRefused(`redirected to ${location}, and redirect is "error"`);
  else if (next === null)
    cause = new RedirectRefused(`the redirect's Location is no URL: ${JSON.stringify(location)}`);
  else if (next.protocol !== 'http:' && next.protocol !== 'https:')
    cause = new RedirectRefused(`a redirect to ${next.protocol} is not followed`);
  else if (count > MAX_REDIRECTS) cause = new TooManyRedirects(`more than ${MAX_REDIRECTS} redirects`);
  else {
    // The standard keeps the request's fragment when the Location has none (it never reaches the wire).
    if (next.hash === '' && url.hash !== '') next.hash = url.hash;
    return next;
  }
  res.close();
  throw refused(cause);
}

function refused(cause: Error): FetchFailed {
  return new FetchFailed('fetch failed', { cause });
}

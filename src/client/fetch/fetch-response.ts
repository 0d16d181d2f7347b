import { BadStatusLine, FetchFailed } from '../errors.js';
import { codingsToUndo, decode } from '../decode.js';
import type { HTTPResponse } from '../response.js';
import { webBody, webBodyFrom } from './web-body.js';

/** Statuses whose responses have no body (Fetch standard: null body status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Where a FetchResponse came from; the web Response keeps these in slots a subclass cannot set. */
const ORIGIN = Symbol('origin');

/**
 * The global web `Response`, with the three fields `new Response()` cannot set: the final `url`, whether
 * redirects were followed (`redirected`) and `type` `'basic'`, as a fetched response has.
 */
class FetchResponse extends Response {
  /** The final URL (without fragment) and whether it was reached through redirects. */
  declare [ORIGIN]: { url: string; redirected: boolean };

  /** Builds the Response over `body`, with `url` and `redirected` of where it came from. */
  static of(
    body: ReadableStream<Uint8Array> | null,
    init: ResponseInit,
    url: string,
    redirected: boolean,
  ): Response {
    const response = new FetchResponse(body, init);
    response[ORIGIN] = { url, redirected };
    return response;
  }
}

Object.defineProperties(FetchResponse.prototype, {
  url: {
    get(this: FetchResponse) {
      return this[ORIGIN].url;
    },
  },
  redirected: {
    get(this: FetchResponse) {
      return this[ORIGIN].redirected;
    },
  },
  type: { value: 'basic' },
  clone: {
    value(this: FetchResponse): Response {
      const copy = Response.prototype.clone.call(this);
      const { url, redirected } = this[ORIGIN];
      return FetchResponse.of(
        copy.body,
        { status: copy.status, statusText: copy.statusText, headers: copy.headers },
        url,
        redirected,
      );
    },
  },
});

/**
 * Cancels the body of a response dropped unread, which closes its connection (no one else would: it would
 * stay busy); a body whose stream was taken and is being read (locked) is left alone, as undici does.
 */
const unread = new FinalizationRegistry<ReadableStream<Uint8Array>>((stream) => {
  if (!stream.locked) stream.cancel().catch(() => {});
});

/**
 * The web Response for `res`: its body a stream over the connection (decoded as its Content-Encoding says,
 * unless `method` was HEAD or the status has no body), failures on it mapped by `failure`. A status a web
 * Response cannot hold (outside 200–599) is a FetchFailed.
 */
export function fetchResponse(
  res: HTTPResponse,
  url: URL,
  redirected: boolean,
  method: string,
  failure: (err: unknown) => unknown,
): Response {
  const status = res.status;
  if (status < 200 || status > 599) {
    res.close();
    const cause = new BadStatusLine(`status ${status} is outside what fetch can return (200–599)`);
    throw new FetchFailed('fetch failed', { cause });
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (method !== 'HEAD' && !NULL_BODY.has(status)) {
    const codings = codingsToUndo(res.headers.get('content-encoding'));
    body = codings === null ? webBody(res, failure) : webBodyFrom(decode(res, codings), failure);
  }
  const response = FetchResponse.of(
    body,
    // Our Headers iterate as [name, value] pairs: a sequence the web Headers take as they are.
    { status, statusText: res.reason, headers: res.headers as unknown as ResponseInit['headers'] },
    url.hash === '' ? url.href : url.href.slice(0, -url.hash.length),
    redirected,
  );
  if (body !== null && !res.isclosed()) unread.register(response, body);
  return response;
}

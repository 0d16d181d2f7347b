import { parseHttpDate } from '../protocol/http-date.js';
import { ConnectionFailed, ConnectTimeout, InvalidOption, RemoteDisconnected } from './errors.js';
import { replayable } from './outgoing-request.js';
import type { PoolRequest } from './pool.js';
import type { HTTPResponse } from './response.js';

/** Settings of opt-in retries (`retry` of `fetch()` and `request()`). */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  limit?: number;
  /** Methods sent again after the server may have seen them. Default the idempotent ones (RFC 9110 §9.2.2). */
  methods?: readonly string[];
  /** Statuses that are asked again. Default 408, 429, 500, 502, 503, 504. */
  statusCodes?: readonly number[];
  /** Milliseconds to wait before retry `n` (1, 2…) when the server gave no Retry-After. Default 100 × 2^(n−1). */
  backoff?: (attempt: number) => number;
  /** The longest wait: a Retry-After beyond it is not waited for, the response is returned. Default 30 000. */
  maxDelay?: number;
}

const IDEMPOTENT = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'];
const STATUSES = [408, 429, 500, 502, 503, 504];

/**
 * Socket errors that only happen before a connection exists: the server never saw the request, so any
 * method may be sent again.
 */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);

/** `RetryOptions` checked and filled in. */
export class RetryPolicy {
  private readonly limit: number;
  private readonly methods: ReadonlySet<string>;
  private readonly statusCodes: ReadonlySet<number>;
  private readonly backoff: (attempt: number) => number;
  private readonly maxDelay: number;

  constructor(options: RetryOptions) {
    this.limit = options.limit ?? 2;
    this.maxDelay = options.maxDelay ?? 30_000;
    if (!Number.isInteger(this.limit) || this.limit < 0)
      throw new InvalidOption(`retry.limit must be a whole number ≥ 0: ${this.limit}`);
    if (!(this.maxDelay >= 0)) throw new InvalidOption(`retry.maxDelay must be ≥ 0: ${this.maxDelay}`);
    this.methods = new Set((options.methods ?? IDEMPOTENT).map((m) => m.toUpperCase()));
    this.statusCodes = new Set(options.statusCodes ?? STATUSES);
    this.backoff = options.backoff ?? ((attempt) => 100 * 2 ** (attempt - 1));
  }

  /**
   * Sends `req` with `send`, again after a failure the server cannot have acted on (nothing reached it: any
   * method), or one it may have seen but that no byte of an answer followed (only `methods`), or an answer in
   * `statusCodes` (only `methods`; waiting as its Retry-After says, up to `maxDelay`). A streamed body is
   * never sent twice; a body that failed half-way or a response that broke off is never retried.
   */
  async send(req: PoolRequest, send: (req: PoolRequest) => Promise<HTTPResponse>): Promise<HTTPResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const canReplay = replayable(req.body ?? null);
    const again = canReplay && this.methods.has(method);
    for (let attempt = 1; ; attempt++) {
      let res: HTTPResponse;
      try {
        res = await send(req);
      } catch (err) {
        const unseen =
          err instanceof ConnectTimeout || (err instanceof ConnectionFailed && notConnected(err));
        const unanswered = err instanceof RemoteDisconnected;
        if (attempt > this.limit || !canReplay || !(unseen || (again && unanswered))) throw err;
        await sleep(this.backoff(attempt), req.signal);
        continue;
      }
      if (attempt > this.limit || !again || !this.statusCodes.has(res.status)) return res;
      const wait = retryAfter(res.headers.get('retry-after')) ?? this.backoff(attempt);
      if (wait > this.maxDelay) return res;
      await res.dump();
      await sleep(wait, req.signal);
    }
  }
}

function notConnected(err: ConnectionFailed): boolean {
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && NOT_CONNECTED.has(code);
}

/** Milliseconds a Retry-After value asks to wait (RFC 9110 §10.2.3: seconds or an HTTP date); null if none. */
export function retryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

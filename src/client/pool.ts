import { HTTPConnection, type RequestBody } from './connection.js';
import { RemoteDisconnected } from './errors.js';
import type { HTTPResponse } from './response.js';
import { HTTPSConnection, type TLSOptions } from './tls-connection.js';

export interface PoolOptions {
  /** Most connections to the origin at once. Default 10. */
  connections?: number;
  /** Milliseconds for connecting and for each wait on the server. Default 30 000. */
  timeout?: number;
  /** An idle kept-alive connection older than this (ms) is closed instead of reused. Default 4 000. */
  idleTimeout?: number;
  /** For https: origins. */
  tls?: TLSOptions;
}

export interface PoolRequest {
  method?: string;
  /** Path and query, e.g. `/search?q=1`. */
  path: string;
  headers?: Record<string, string | number> | Array<[string, string]>;
  body?: RequestBody | null;
  signal?: AbortSignal;
}

/** Methods a client may safely send twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

interface Idle {
  connection: HTTPConnection;
  since: number;
}

/**
 * Keep-alive connections to one origin, reused across requests, at most `connections` at once; callers
 * beyond that wait their turn. A request on a reused connection that the server had already closed (no byte
 * came back) is retried once on a fresh one when it is idempotent and its body can be sent again.
 */
export class Pool {
  readonly url: URL;
  private readonly max: number;
  private readonly timeout: number;
  private readonly idleTimeout: number;
  private readonly tls: TLSOptions | undefined;
  private readonly idle: Idle[] = [];
  private readonly waiting: Array<(c: HTTPConnection) => void> = [];
  private open = 0;
  private closed = false;

  constructor(origin: string | URL, options: PoolOptions = {}) {
    this.url = new URL(origin);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new TypeError(`Unsupported protocol: ${this.url.protocol}`);
    }
    this.max = options.connections ?? 10;
    this.timeout = options.timeout ?? 30_000;
    this.idleTimeout = options.idleTimeout ?? 4_000;
    this.tls = options.tls;
  }

  private create(): HTTPConnection {
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    this.open++;
    if (this.url.protocol === 'https:') {
      return new HTTPSConnection(host, Number(this.url.port || 443), { timeout: this.timeout, ...this.tls });
    }
    return new HTTPConnection(host, Number(this.url.port || 80), { timeout: this.timeout });
  }

  /** A connection for one request: an idle one still fresh, a new one under the limit, or the next released. */
  private acquire(): Promise<{ connection: HTTPConnection; reused: boolean }> {
    if (this.closed) return Promise.reject(new Error('The pool is closed'));
    const now = Date.now();
    while (this.idle.length > 0) {
      const { connection, since } = this.idle.pop()!;
      if (now - since < this.idleTimeout && connection.sock !== null && !connection.sock.destroyed) {
        return Promise.resolve({ connection, reused: true });
      }
      this.discard(connection);
    }
    if (this.open < this.max) return Promise.resolve({ connection: this.create(), reused: false });
    return new Promise((resolve) => this.waiting.push((connection) => resolve({ connection, reused: true })));
  }

  /** Hands a connection whose response is done to the next waiter, or keeps it idle. */
  private release(connection: HTTPConnection): void {
    if (connection.sock === null || connection.sock.destroyed || this.closed) {
      this.discard(connection);
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) next(connection);
    else this.idle.push({ connection, since: Date.now() });
  }

  private discard(connection: HTTPConnection): void {
    connection.close();
    this.open--;
    // A waiter gets a fresh connection in its place.
    const next = this.waiting.shift();
    if (next !== undefined) next(this.create());
  }

  /**
   * Sends one request and resolves with the response head; the body must be read (or `dump()`ed) for the
   * connection to return to the pool.
   */
  async request(req: PoolRequest): Promise<PooledResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const replayable =
      req.body === undefined ||
      req.body === null ||
      typeof req.body === 'string' ||
      req.body instanceof Uint8Array;
    for (let attempt = 0; ; attempt++) {
      const { connection, reused } = await this.acquire();
      const abort = (): void => connection.close();
      req.signal?.addEventListener('abort', abort, { once: true });
      try {
        req.signal?.throwIfAborted();
        await connection.request(method, req.path, { headers: req.headers ?? {}, body: req.body ?? null });
        const response = await connection.getresponse();
        return new PooledResponse(response, () => {
          req.signal?.removeEventListener('abort', abort);
          this.release(connection);
        });
      } catch (err) {
        req.signal?.removeEventListener('abort', abort);
        this.discard(connection);
        if (req.signal?.aborted) throw req.signal.reason;
        const stale = reused && attempt === 0 && (err instanceof RemoteDisconnected || isReset(err));
        if (stale && IDEMPOTENT.has(method) && replayable) continue;
        throw err;
      }
    }
  }

  /** Closes idle connections now and the others once their responses are done. */
  close(): void {
    this.closed = true;
    for (const { connection } of this.idle.splice(0)) this.discard(connection);
  }
}

function isReset(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** A response from a pool: the head at once, the body as a stream or as text, JSON or bytes. */
export class PooledResponse implements AsyncIterable<Buffer> {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HTTPResponse['headers'];
  private released = false;

  constructor(
    readonly raw: HTTPResponse,
    private readonly onDone: () => void,
  ) {
    this.status = raw.status;
    this.statusText = raw.reason;
    this.headers = raw.headers;
    if (raw.isclosed()) this.done();
  }

  private done(): void {
    if (this.released) return;
    this.released = true;
    this.onDone();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for await (const piece of this.raw) yield piece;
    } finally {
      if (this.raw.isclosed()) this.done();
    }
  }

  /** The whole body as bytes. */
  async arrayBuffer(): Promise<Buffer> {
    try {
      return await this.raw.read();
    } finally {
      if (this.raw.isclosed()) this.done();
    }
  }

  async text(): Promise<string> {
    return (await this.arrayBuffer()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  /** Reads and discards the body, so the connection can serve the next request. */
  async dump(): Promise<void> {
    for await (const piece of this) void piece;
  }
}

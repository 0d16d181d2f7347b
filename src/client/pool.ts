import type net from 'node:net';
import type { ResponseHead } from '../protocol/response-reader.js';
import { ClientSocket, type PhaseTimeouts } from './client-socket.js';
import type { TLSOptions } from './dial.js';
import { InvalidOption, InvalidURL, PoolClosed, RemoteDisconnected } from './errors.js';
import type { HeadTrace } from './head-trace.js';
import {
  outgoingRequest,
  type OutgoingRequest,
  type RequestBody,
  type RequestHeaders,
} from './outgoing-request.js';
import { parseURL } from './parse-url.js';
import { proxyFor, withProxyAuthorization, type ProxyOptions } from './proxy.js';
import { HTTPResponse } from './response.js';
import type { ResponseWaiter } from './response-waiter.js';
import { Route } from './route.js';

/** Settings of a `Pool` (and of `request()`'s shared pools). */
export interface PoolOptions extends ProxyOptions {
  /** Most connections to the origin at once. Default 10. */
  connections?: number;
  /**
   * Requests in flight on one connection (HTTP/1.1 pipelining). Default 1: none. Only idempotent requests
   * with no streamed body are pipelined, and never behind one that is not (RFC 9112 §9.3.2).
   */
  pipelining?: number;
  /** Milliseconds for connecting and for each wait on the server. Default 30 000. */
  timeout?: number;
  /** Milliseconds to establish a connection (TCP and TLS), else a ConnectTimeout. Default `timeout`. */
  connectTimeout?: number;
  /** Milliseconds from sending a request to its complete response head, else a HeadersTimeout. Default `timeout`. */
  headersTimeout?: number;
  /** Milliseconds a body may stall while it is read, else a BodyTimeout. Default `timeout`. */
  bodyTimeout?: number;
  /** An idle kept-alive connection is closed after this many ms. Default 4 000. */
  idleTimeout?: number;
  /** Milliseconds a body with `Expect: 100-continue` waits for `100 Continue`. Default 1 000. */
  continueTimeout?: number;
  /** For https: origins. */
  tls?: TLSOptions;
  /** Connect to this Unix domain socket instead of the origin's host and port (curl's `--unix-socket`). */
  socketPath?: string;
}

/** One request for `Pool.request`. */
export interface PoolRequest {
  /** Default GET. Sent as given: methods are case-sensitive (RFC 9110 §9.1), `patch` is not `PATCH`. */
  method?: string;
  /** Path and query, e.g. `/search?q=1`. */
  path: string;
  /** Fields to send; Host and the body's framing are added unless given. */
  headers?: RequestHeaders;
  /** Bytes, a string, or a stream (sent chunked unless a Content-Length is given). */
  body?: RequestBody | null;
  /** Aborting fails the request with the signal's reason and closes its connection. */
  signal?: AbortSignal;
  /**
   * Called with the request head each time it is written (a retry writes it again), and, through a forward
   * proxy, with the CONNECT that opens a tunnel for it and the proxy's answer.
   */
  trace?: HeadTrace | undefined;
}

/** A request under way (`Pool.send`): its response, and a way to give up on it without an AbortSignal. */
export interface PendingResponse {
  /** Resolves with the response head, as `Pool.request` does. */
  readonly response: Promise<HTTPResponse>;
  /**
   * Gives up as aborting a signal does: the request fails with `reason` (or its body, if being read, does)
   * and its connection closes. Once its response is read to the end, nothing: the connection is another's.
   */
  cancel(reason: Error): void;
}

/** Methods a client may safely send twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** One call of `Pool.request`, from waiting for a connection to the end of its response. */
class PooledRequest implements ResponseWaiter, PendingResponse {
  socket: ClientSocket | null = null;
  /** Set by `Pool.send` once made (the promise's executor makes the request). */
  response!: Promise<HTTPResponse>;
  private retried = false;
  private settled = false;
  /** The request left its socket: `cancel` must not touch a connection now carrying another. */
  private ended = false;
  /** Whether it may share a connection with other requests in flight (pipelining). */
  readonly pipelinable: boolean;

  constructor(
    private readonly pool: Pool,
    readonly method: string,
    readonly request: OutgoingRequest,
    private readonly signal: AbortSignal | undefined,
    readonly trace: PoolRequest['trace'],
    private readonly resolve: (response: HTTPResponse) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.pipelinable = IDEMPOTENT.has(method) && request.stream === null && !request.expectContinue;
    signal?.addEventListener('abort', this);
  }

  /** Sends the request on `socket`. */
  start(socket: ClientSocket): void {
    this.socket = socket;
    this.trace?.(this.request.head, 'sent');
    const sending = socket.send(this, this.request);
    // A streamed body that fails is reported through onError (the socket fails with it).
    if (sending !== null) sending.catch(() => {});
  }

  onHead(head: ResponseHead): void {
    this.settled = true;
    this.resolve(new HTTPResponse(head, this.socket!));
  }

  onError(err: Error): void {
    const socket = this.socket!;
    this.socket = null;
    if (this.settled) return;
    // A reused connection the server had closed, and no byte of an answer: safe to send again, once.
    if (
      err instanceof RemoteDisconnected &&
      socket.requests > 1 &&
      !this.retried &&
      this.pipelinable &&
      !this.signal?.aborted
    ) {
      this.retried = true;
      this.pool.dispatch(this);
      return;
    }
    this.settled = true;
    this.reject(err);
  }

  /** The connection meant for it could not be made (a proxy refused the tunnel): nothing was sent. */
  failUnsent(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
    this.onEnd();
  }

  onEnd(): void {
    this.ended = true;
    this.signal?.removeEventListener('abort', this);
  }

  /** The signal's abort: the request fails with its reason, the connection it was on is closed. */
  handleEvent(): void {
    this.cancel(this.signal!.reason as Error);
  }

  cancel(reason: Error): void {
    if (this.ended) return;
    if (this.socket !== null) {
      this.socket.close(reason, this);
    } else if (!this.settled) {
      this.pool.withdraw(this);
      this.settled = true;
      this.reject(reason);
      this.onEnd();
    }
  }
}

/**
 * Keep-alive connections to one origin, reused across requests, at most `connections` at once; requests
 * beyond that wait their turn (or, with `pipelining`, queue on a busy connection). A request that meets a
 * reused connection the server had already closed (no byte came back) is sent again once on a fresh one when
 * it is idempotent and its body can be sent again. Idle connections close after `idleTimeout` and never keep
 * the process alive.
 */
export class Pool {
  /** The origin this pool connects to. */
  readonly url: URL;
  private readonly route: Route;
  private readonly hostField: string;
  private readonly max: number;
  private readonly pipelining: number;
  private readonly timeout: number;
  private readonly phases: PhaseTimeouts;
  private readonly idleTimeout: number;
  private readonly continueTimeout: number;
  private readonly sockets = new Set<ClientSocket>();
  /** Idle connections, the most recently used last. */
  private idle: ClientSocket[] = [];
  private readonly waiting: PooledRequest[] = [];
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;
  /** CONNECT tunnels being set up: they count as connections. */
  private tunnelsOpening = 0;
  private readonly onIdle = (socket: ClientSocket): void => this.release(socket);
  private readonly onClose = (socket: ClientSocket): void => this.forget(socket);

  constructor(origin: string | URL, options: PoolOptions = {}) {
    this.url = parseURL(origin);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new InvalidURL(`Unsupported protocol: ${this.url.protocol}`);
    }
    const https = this.url.protocol === 'https:';
    const endpoint = {
      host: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.url.port || (https ? 443 : 80)),
      socketPath: options.socketPath,
    };
    this.route = new Route(endpoint, https ? (options.tls ?? {}) : null, proxyFor(this.url, options));
    this.hostField = this.url.host;
    this.max = options.connections ?? 10;
    this.pipelining = options.pipelining ?? 1;
    for (const [name, value] of [
      ['connections', this.max],
      ['pipelining', this.pipelining],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new InvalidOption(`${name} must be a whole number ≥ 1: ${value}`);
    }
    this.timeout = options.timeout ?? 30_000;
    this.phases = {
      connect: options.connectTimeout,
      head: options.headersTimeout,
      body: options.bodyTimeout,
    };
    this.idleTimeout = options.idleTimeout ?? 4_000;
    this.continueTimeout = options.continueTimeout ?? 1000;
  }

  /** Connections open now (idle or busy). */
  get size(): number {
    return this.sockets.size;
  }

  /**
   * Sends one request and resolves with the response head; the body must be read (or `dump()`ed) for the
   * connection to carry another request.
   */
  request(req: PoolRequest): Promise<HTTPResponse> {
    return this.send(req).response;
  }

  /**
   * As `request`, with a handle to give the request up by (`cancel`): what a caller that learns of its
   * client leaving from a callback uses instead of an AbortController per request (the reverse proxy).
   */
  send(req: PoolRequest): PendingResponse {
    if (this.closed) return refused(new PoolClosed('The pool is closed'));
    const method = req.method ?? 'GET';
    const signal = req.signal;
    if (signal?.aborted) return refused(signal.reason as Error);
    let request: OutgoingRequest;
    const route = this.route;
    const authorization = route.forwardAuthorization;
    try {
      request = outgoingRequest(
        method,
        route.target(req.path),
        this.hostField,
        authorization === null ? req.headers : withProxyAuthorization(req.headers, authorization),
        req.body ?? null,
      );
    } catch (err) {
      return refused(err as Error);
    }
    let pooled!: PooledRequest;
    const response = new Promise<HTTPResponse>((resolve, reject) => {
      pooled = new PooledRequest(this, method, request, signal, req.trace, resolve, reject);
      this.dispatch(pooled);
    });
    pooled.response =
      route.targetPrefix === '' ? response : response.then((res) => route.checkForwarded(res));
    return pooled;
  }

  /** Starts a request on a connection that can take it now, or queues it. */
  dispatch(pooled: PooledRequest): void {
    const socket = this.socketFor(pooled);
    if (socket === null) this.waiting.push(pooled);
    else pooled.start(socket);
  }

  /** Takes a request out of the queue (it was aborted while waiting). */
  withdraw(pooled: PooledRequest): void {
    const index = this.waiting.indexOf(pooled);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** An idle connection, a new one under the limit, or room on a busy one when pipelining; else null. */
  private socketFor(pooled: PooledRequest): ClientSocket | null {
    const idle = this.idle;
    while (idle.length > 0) {
      const socket = idle.pop()!;
      if (socket.usable) {
        socket.holdsProcess = true;
        return socket;
      }
      socket.close();
    }
    if (this.sockets.size + this.tunnelsOpening < this.max) return this.open(pooled.trace);
    if (this.pipelining > 1 && pooled.pipelinable) {
      for (const socket of this.sockets) {
        if (socket.inFlight < this.pipelining && socket.usable && socket.pipelinable) return socket;
      }
    }
    return null;
  }

  /**
   * A new connection; null when it needs a tunnel first (the request waits, and gets it once it is up). The
   * CONNECT is traced for the request it is opened for.
   */
  private open(trace: HeadTrace | undefined): ClientSocket | null {
    const route = this.route;
    if (route.tunnelled) {
      this.openTunnel(trace);
      return null;
    }
    return this.adopt((onread) => route.open(onread));
  }

  private adopt(open: (onread: net.OnReadOpts) => net.Socket): ClientSocket {
    const socket = new ClientSocket(open, this.route.label, this.timeout, this.continueTimeout, this.phases);
    socket.onIdle = this.onIdle;
    socket.onClose = this.onClose;
    this.sockets.add(socket);
    return socket;
  }

  /**
   * Sets up a tunnel; once up, it is a connection like any other and the first waiting request takes it. If it
   * cannot be, the first waiting request fails with why (the others try again on a tunnel of their own).
   */
  private openTunnel(trace: HeadTrace | undefined): void {
    this.tunnelsOpening++;
    this.route.tunnel(this.timeout, trace).then(
      (open) => {
        this.tunnelsOpening--;
        this.release(this.adopt(open));
      },
      (err: Error) => {
        this.tunnelsOpening--;
        this.waiting.shift()?.failUnsent(err);
        const next = this.waiting.shift();
        if (next !== undefined) this.dispatch(next);
      },
    );
  }

  /** A connection finished its responses: the next waiting request gets it, or it waits idle. */
  private release(socket: ClientSocket): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      next.start(socket);
      return;
    }
    if (this.closed) {
      socket.close();
      return;
    }
    socket.idleSince = Date.now();
    socket.holdsProcess = false;
    this.idle.push(socket);
    this.sweeper ??= setTimeout(() => this.sweep(), this.idleTimeout).unref();
  }

  /** Closes connections idle for `idleTimeout`. */
  private sweep(): void {
    this.sweeper = null;
    const now = Date.now();
    let oldest = now;
    for (const socket of this.idle) {
      if (now - socket.idleSince >= this.idleTimeout) socket.close();
      else oldest = Math.min(oldest, socket.idleSince);
    }
    this.idle = this.idle.filter((socket) => socket.usable);
    if (this.idle.length > 0) {
      this.sweeper = setTimeout(() => this.sweep(), oldest + this.idleTimeout - now).unref();
    }
  }

  /** A connection closed: it no longer counts, and a waiting request may open a new one in its place. */
  private forget(socket: ClientSocket): void {
    this.sockets.delete(socket);
    const index = this.idle.indexOf(socket);
    if (index >= 0) this.idle.splice(index, 1);
    const next = this.waiting.shift();
    if (next !== undefined) this.dispatch(next);
  }

  /** Closes idle connections now and the others once their responses are done. */
  close(): void {
    this.closed = true;
    for (const socket of this.idle.splice(0)) socket.close();
    if (this.sweeper !== null) clearTimeout(this.sweeper);
    this.sweeper = null;
  }
}

/** A request refused before it was sent: nothing to cancel. */
function refused(err: Error): PendingResponse {
  return { response: Promise.reject(err), cancel: () => {} };
}

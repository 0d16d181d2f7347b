import net, { type BlockList } from 'node:net';
import os from 'node:os';
import { Connection, type ConnectionSettings, type RequestSink } from '../connection/connection.js';
import { DeadlineSweep } from '../connection/deadline-sweep.js';
import type { Exchange } from '../connection/exchange.js';
import type { HTTPStatusError } from '../connection/status-error.js';
import { ParseError } from '../protocol/errors.js';
import { DEFAULT_HEAD_LIMITS } from '../protocol/message-reader.js';
import { InvalidServerOptionError } from './errors.js';
import { freeSocketPath } from './unix-socket.js';
import { checkMethodNames } from './handler-methods.js';
import { LogWriter } from './log-writer.js';
import { ProxyProtocolReceiver } from './proxy-protocol.js';
import { RepeatedLines } from './repeated-lines.js';
import { HeldRequests } from './request-queue.js';
import { clientBehindProxies, isTrusted, trustedProxies } from './trust-proxy.js';
import { BaseHTTPRequestHandler, type HandlerArgs } from './request-handler.js';
import { errorDetail } from './error-detail.js';

/**
 * Where to listen. `host` omitted or '' listens on every address, IPv6 and IPv4 (dual-stack); `socketPath`
 * listens on a Unix domain socket instead.
 */
export interface ServerAddress {
  /** Address to bind; empty or omitted: every interface (dual-stack where the system allows). */
  host?: string;
  /** 0 or omitted picks a free port; read it from `serverPort` after `listen()`. */
  port?: number;
  /** With an IPv6 host, refuse IPv4-mapped connections. */
  ipv6Only?: boolean;
  /**
   * Listen on this Unix domain socket (host and port are ignored). A stale socket file is removed first; a
   * live one, or a file of another kind, is a SocketPathError. The file is removed when the server closes.
   */
  socketPath?: string;
}

/** Limits, timeouts and logging. Times are in milliseconds; 0 turns a timeout off. */
export interface ServerOptions {
  /** Longest request line; longer gets 414. Default 8 KiB. */
  maxRequestLineBytes?: number;
  /** Largest header section; larger gets 431. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Most header fields; more gets 431. Default 100. */
  maxHeaderCount?: number;
  /** Time allowed to receive a request head, from its first byte (slowloris guard). Default 30 s. */
  headersTimeout?: number;
  /** Time an idle persistent connection is kept. Default 5 s. */
  keepAliveTimeout?: number;
  /** Time a handler reading the body may wait for more bytes. Default 30 s. */
  bodyTimeout?: number;
  /** Time queued response bytes may wait without the client reading any (slow-read guard). Default 60 s. */
  sendTimeout?: number;
  /**
   * Time from a request's first byte until its body is read whole; past it, 408 and close. Default 300 s
   * (node:http's requestTimeout).
   */
  requestTimeout?: number;
  /**
   * Least request body bytes per second, once `minBodyRateGrace` has passed since the body was first
   * waited for; slower gets 408 and close (as Kestrel's MinRequestBodyDataRate). 0 turns it off. Default 240.
   */
  minBodyRate?: number;
  /** The time a request body may take before `minBodyRate` applies. Default 5 s. */
  minBodyRateGrace?: number;
  /** Unread request body bytes discarded to keep a connection open; beyond, it closes. Default 1 MiB. */
  maxDrainBytes?: number;
  /**
   * Time spent discarding a request body the response did not read (a 405 to a POST, an early error);
   * then the connection closes, as nginx's lingering_time. Default 30 s.
   */
  drainTimeout?: number;
  /** Received bytes held per connection before reading pauses. Default 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * Time `shutdown()` waits for requests in flight (and connections that may still send one) before cutting
   * them; 0 waits for every request. Default 30 s, the grace Kubernetes gives a pod to stop.
   */
  shutdownTimeout?: number;
  /**
   * While stopping, how long an idle keep-alive connection stays open for a request its client may already
   * have sent (answered with Connection: close); 0 closes idle connections at once. Default 1 s.
   */
  shutdownGrace?: number;
  /**
   * Proxies (addresses or CIDR ranges) whose Forwarded / X-Forwarded-For headers decide `clientAddress`;
   * empty (the default) trusts none.
   */
  trustProxy?: string[];
  /**
   * Every connection starts with a PROXY protocol header (v1 or v2, as haproxy, AWS NLB and others send
   * with `send-proxy`): its client becomes `clientAddress`. Only peers in `trustProxy` may connect; a
   * connection from any other, or with a missing or malformed header, is closed unanswered. Needs
   * `trustProxy`.
   */
  proxyProtocol?: boolean;
  /**
   * Most open connections (per process: each worker of a cluster has its own); beyond it new connections
   * are closed at once, before any byte is read, and the log says so once per interval. Default 0: no cap.
   */
  maxConnections?: number;
  /** Where log lines go (batched). Default process.stderr; null logs nothing. */
  logStream?: NodeJS.WritableStream | null;
}

/** Log lines of refusals of one status written per interval before the rest are only counted. */
const REFUSAL_BURST = 10;

/** `shutdownTimeout`'s default, in ms: what orchestrators give a process to stop (Kubernetes: 30 s). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 30_000;

/** `requestTimeout`'s default, in ms: node:http's. */
export const DEFAULT_REQUEST_TIMEOUT = 300_000;

/** `minBodyRate`'s default, in bytes per second: Kestrel's MinRequestBodyDataRate. */
export const DEFAULT_MIN_BODY_RATE = 240;

/** `[host, port]` of the client, as Python's `client_address`. */
export type ClientAddress = readonly [host: string, port: number];

/** A handler class: constructed once per request with the `HandlerArgs` the server passes. */
export type HandlerClass = (new (...args: HandlerArgs) => BaseHTTPRequestHandler) &
  Pick<typeof BaseHTTPRequestHandler, 'serverLine'>;

/**
 * An HTTP/1.1 server on `node:net`, as Python's `HTTPServer`: it owns the listening socket and the
 * connections, and constructs a `HandlerClass` instance for every request.
 */
export class HTTPServer implements RequestSink {
  /** `[host, port]` actually bound (after `listen()`), as Python's `server_address`; `[socketPath, 0]` on a Unix socket. */
  serverAddress: [string, number];
  /** The host name, for CGI's SERVER_NAME and banners. */
  serverName: string;
  /** The listening socket (net or tls), for what the server does not wrap. */
  readonly listener: net.Server;
  /** Open connections. */
  readonly connections = new Set<Connection>();
  /** The options as given, for subclasses and handlers to read. */
  readonly options: Readonly<ServerOptions>;
  /** Timeouts and limits each connection runs with, made once from `options`. */
  protected readonly connectionOptions: ConnectionSettings;
  private readonly logWriter: LogWriter | null;
  /** Connection-level lines (refusals, the connection cap): repeats are counted, not written one by one. */
  private readonly repeated: RepeatedLines | null;
  /** While a refusal is being answered: the kind its log lines are counted under. */
  private refusing: string | null = null;
  private readonly trusted: BlockList | null;
  /** With `proxyProtocol`: reads each connection's PROXY header first (else null). */
  private readonly proxyReceiver: ProxyProtocolReceiver | null = null;
  private listening: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly deadlines = new DeadlineSweep(this.connections, Date.now);
  private serving = false;
  private stopped: (() => void) | null = null;
  private stopping: Promise<void> | null = null;
  private readonly stopController = new AbortController();
  /** Requests parsed while no one serves, for `handleRequest()` to let through one by one. */
  private readonly held = new HeldRequests((exchange) => this.dispatch(exchange));

  constructor(
    /** Where to listen, as Python's `server_address`. */
    readonly address: ServerAddress,
    /** The class made for each request, as Python's `RequestHandlerClass`. */
    readonly RequestHandlerClass: HandlerClass,
    options: ServerOptions = {},
  ) {
    // Here, once, rather than as a 501 on every request a misspelt `do_GET` was meant to answer.
    checkMethodNames(RequestHandlerClass.prototype as object, RequestHandlerClass.name);
    this.options = options;
    this.connectionOptions = {
      limits: {
        maxStartLineBytes: options.maxRequestLineBytes ?? DEFAULT_HEAD_LIMITS.maxStartLineBytes,
        maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_HEAD_LIMITS.maxHeaderBytes,
        maxHeaderCount: options.maxHeaderCount ?? DEFAULT_HEAD_LIMITS.maxHeaderCount,
      },
      headersTimeout: options.headersTimeout ?? 30_000,
      keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
      bodyTimeout: options.bodyTimeout ?? 30_000,
      requestTimeout: options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
      minBodyRate: options.minBodyRate ?? DEFAULT_MIN_BODY_RATE,
      minBodyRateGrace: options.minBodyRateGrace ?? 5_000,
      maxDrainBytes: options.maxDrainBytes ?? 1024 * 1024,
      drainTimeout: options.drainTimeout ?? 30_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      lingerTimeout: 2_000,
      sendTimeout: options.sendTimeout ?? 60_000,
      shutdownGrace: options.shutdownGrace ?? 1_000,
    };
    this.trusted =
      options.trustProxy === undefined || options.trustProxy.length === 0
        ? null
        : trustedProxies(options.trustProxy);
    const log = options.logStream === undefined ? process.stderr : options.logStream;
    this.logWriter = log === null ? null : new LogWriter(log);
    const writer = this.logWriter;
    this.repeated = writer === null ? null : new RepeatedLines((line) => writer.write(line));
    const host = address.host ?? '';
    this.serverAddress = [host, address.port ?? 0];
    this.serverName = host === '' || host === '0.0.0.0' || host === '::' ? os.hostname() : host;
    const listener = this.createListener(this.accept);
    if (options.proxyProtocol) {
      if (this.trusted === null)
        throw new InvalidServerOptionError(
          'proxyProtocol needs trustProxy: the proxies allowed to send the header',
        );
      this.proxyReceiver = new ProxyProtocolReceiver(
        this.trusted,
        this.connectionOptions.headersTimeout,
        listener,
        (line) => this.repeated?.line('PROXY header refused', line, REFUSAL_BURST),
        () => this.checkDrained(),
      );
      this.listener = this.proxyReceiver.listener;
    } else {
      this.listener = listener;
    }
    this.capConnections(options.maxConnections ?? 0);
  }

  /**
   * Applies `maxConnections`. Beyond the cap, a new connection is refused rather than an old one closed:
   * the clients being served keep their service, nothing is read or allocated for the refused one (Node
   * closes it in accept, before a TLS handshake), and slowloris connections, which are never idle, would not
   * be the ones an "oldest idle" rule closed anyway.
   */
  private capConnections(max: number): void {
    if (!Number.isSafeInteger(max) || max < 0)
      throw new InvalidServerOptionError(`maxConnections must be a whole number ≥ 0, not ${max}`);
    if (max === 0) return;
    this.listener.maxConnections = max;
    this.listener.on('drop', (peer?: { remoteAddress?: string }) => {
      const message = `connection limit (${max}) reached: refusing new connections`;
      const line = this.RequestHandlerClass.serverLine(peer?.remoteAddress ?? '-', message);
      this.repeated?.line('connection limit reached', line, 1);
    });
  }

  /** Makes the listening server; HTTPS overrides this with a TLS one. */
  protected createListener(onConnection: (socket: net.Socket) => void): net.Server {
    return net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
  }

  /**
   * Aborted as `shutdown()` begins: a response that never ends by itself (an event stream) ends on it, so
   * it does not hold the drain until the deadline cuts it.
   */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** The bound port (the real one after `listen()` with port 0). */
  get serverPort(): number {
    return this.serverAddress[1];
  }

  /** Binds and starts accepting. Resolves once bound; rejects with the bind error (EADDRINUSE, …). */
  listen(): Promise<void> {
    this.listening ??= this.bind().catch((err: unknown) => {
      this.listening = null;
      throw err;
    });
    return this.listening;
  }

  private async bind(): Promise<void> {
    const { host, port = 0, ipv6Only = false, socketPath } = this.address;
    if (socketPath !== undefined) await freeSocketPath(socketPath);
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject);
      const opts: net.ListenOptions = socketPath === undefined ? { port, ipv6Only } : { path: socketPath };
      if (socketPath === undefined && host !== undefined && host !== '') opts.host = host;
      this.listener.listen(opts, () => {
        this.listener.off('error', reject);
        // After binding, errors are accept() failures (EMFILE when out of descriptors): log and keep serving.
        this.listener.on('error', (err: Error) => this.serverLog('-', `accept failed: ${err.message}`));
        const bound = this.listener.address();
        this.serverAddress =
          typeof bound === 'string' || bound === null ? [socketPath!, 0] : [bound.address, bound.port];
        this.startSweep();
        resolve();
      });
    });
  }

  private readonly accept = (socket: net.Socket): void => {
    const connection =
      this.proxyReceiver === null
        ? new Connection(socket, this, this.connectionOptions, Date.now)
        : this.proxyReceiver.connectionFor(socket, this, this.connectionOptions);
    this.connections.add(connection);
    // Accepted while stopping (under a cluster, handed over just before this worker stopped listening):
    // its request is still answered, then the connection closes.
    if (this.stopping !== null) connection.shutdown();
  };

  /** One sweep timer serves every connection's deadline, instead of a timer per connection. */
  private startSweep(): void {
    const { headersTimeout, keepAliveTimeout, bodyTimeout, lingerTimeout, sendTimeout } =
      this.connectionOptions;
    const shortest = Math.min(
      ...[headersTimeout, keepAliveTimeout, bodyTimeout, lingerTimeout, sendTimeout].filter(
        (timeout) => timeout > 0,
      ),
    );
    const every = Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
    this.sweepTimer = setInterval(this.sweep, every);
    this.sweepTimer.unref();
  }

  private readonly sweep = (): void => {
    this.deadlines.run();
    this.proxyReceiver?.sweep(Date.now());
  };

  /**
   * Binds (unless already bound) and serves in the background, the JavaScript way: resolves once listening,
   * rejects with the bind error (EADDRINUSE, …). `shutdown()` stops it.
   */
  async start(): Promise<void> {
    await this.listen();
    this.beginServing();
  }

  /** Serves until `shutdown()`, as Python's `serve_forever()`; resolves once the shutdown is complete. */
  async serveForever(): Promise<void> {
    await this.listen();
    if (this.stopping !== null) return this.stopping;
    this.beginServing();
    return new Promise<void>((resolve) => {
      this.stopped = resolve;
    });
  }

  private beginServing(): void {
    if (this.serving || this.stopping !== null) return;
    this.serving = true;
    this.held.releaseAll();
  }

  /**
   * Handles exactly one request and resolves when it is answered, as Python's `handle_request()`: while the
   * server is not serving, requests wait for a call to this. Protocol errors are answered regardless.
   */
  async handleRequest(): Promise<void> {
    await this.listen();
    return this.held.admitOne();
  }

  /** RequestSink: called by a connection for every parsed request. */
  handle(exchange: Exchange): void | Promise<void> {
    // While stopping, the last requests of connections being drained are still answered.
    if (this.serving || this.stopping !== null) return this.dispatch(exchange);
    return this.held.hold(exchange);
  }

  private dispatch(exchange: Exchange): void | Promise<void> {
    const handler = this.handlerFor(exchange);
    if (handler !== null) return handler.handle();
    this.standIn(exchange).sendError(500);
  }

  /**
   * A new handler for the exchange, or null when the class's constructor threw (say, a field initialiser
   * reading a header the request lacks): the error is logged, and a stand-in answers instead.
   */
  private handlerFor(exchange: Exchange): BaseHTTPRequestHandler | null {
    try {
      return new this.RequestHandlerClass(exchange, this.clientAddressOf(exchange), this);
    } catch (err) {
      this.standIn(exchange).logError(
        'Exception in %s constructor: %s',
        this.RequestHandlerClass.name,
        errorDetail(err),
      );
      return null;
    }
  }

  /** A plain BaseHTTPRequestHandler, to answer for a handler class that could not be constructed. */
  private standIn(exchange: Exchange): BaseHTTPRequestHandler {
    return new BaseHTTPRequestHandler(exchange, this.clientAddressOf(exchange), this);
  }

  /**
   * Whether `address` is one of `trustProxy`'s proxies: a reverse proxy extends the forwarding fields such a
   * peer sent rather than replacing them.
   */
  trustsProxy(address: string): boolean {
    return this.trusted !== null && isTrusted(this.trusted, address);
  }

  /** The peer, or the client behind trusted proxies (its port is then unknown: 0). */
  private clientAddressOf(exchange: Exchange): ClientAddress {
    const peer = exchange.connection.peer;
    if (this.trusted === null || exchange.head === null) return peer;
    const client = clientBehindProxies(peer[0], exchange.head.headers, this.trusted);
    return client === peer[0] ? peer : [client, 0];
  }

  /** RequestSink: a request the protocol layer refused gets the handler's error page. */
  refuse(exchange: Exchange, error: HTTPStatusError): void {
    // Refusals come by the thousand under attack (408s from slowloris, garbage): their lines are counted, by
    // status and parse-error kind, so a flood of one kind does not hide the first lines of another.
    this.refusing =
      error.cause instanceof ParseError ? `code ${error.status} ${error.cause.kind}` : `code ${error.status}`;
    try {
      (this.handlerFor(exchange) ?? this.standIn(exchange)).refuse(error);
    } catch (err) {
      // An override (sendError, logError, …) that throws must not turn a bad request into a crash: this
      // runs in the socket's 'data' event or the timeout sweep, where nothing else would catch it.
      this.serverLog(
        exchange.connection.peer[0],
        `refusing a request failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (!exchange.headCommitted) this.standIn(exchange).refuse(error);
    } finally {
      this.refusing = null;
    }
  }

  /** RequestSink. */
  closed(connection: Connection): void {
    this.connections.delete(connection);
    this.checkDrained();
  }

  /** While stopping: resolves the drain once no connection is left, nor one whose PROXY header is coming. */
  private checkDrained(): void {
    if (this.stopping !== null && this.connections.size === 0 && !this.proxyReceiver?.waiting)
      this.allClosed?.();
  }

  private allClosed: (() => void) | null = null;

  /**
   * Graceful stop: no new connections; requests in flight finish, and a persistent connection answers its
   * next request with Connection: close or closes once quiet for `shutdownGrace`. Whatever is left after
   * `timeout` ms (default `shutdownTimeout`; 0 waits for all) is cut, and each cut response is logged.
   * `serveForever()` resolves after it.
   */
  shutdown(timeout = this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT): Promise<void> {
    this.stopping ??= (async () => {
      this.serving = false;
      this.stopController.abort();
      const closedListener = new Promise<void>((resolve) => this.listener.close(() => resolve()));
      // A connection whose PROXY header is on its way is waited for too: its request follows.
      if (this.connections.size > 0 || this.proxyReceiver?.waiting) {
        const drained = new Promise<void>((resolve) => {
          this.allClosed = resolve;
        });
        for (const connection of this.connections) connection.shutdown();
        if (timeout > 0) {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeout);
          });
          await Promise.race([drained, late]);
          clearTimeout(timer);
        } else {
          await drained;
        }
        for (const connection of this.connections) {
          this.logCut(connection);
          connection.destroy();
        }
        this.proxyReceiver?.destroyPending();
        // A destroyed socket reports 'close' a tick later: wait for it, so none is left once this resolves.
        await drained;
      }
      if (this.listener.listening || this.listening !== null) await closedListener;
      if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
      this.repeated?.report();
      this.logWriter?.close();
      this.stopped?.();
    })();
    return this.stopping;
  }

  /** One line for a response the shutdown deadline cut: who, what, and how much of it was sent. */
  private logCut(connection: Connection): void {
    if (connection.takenOverBy !== null && this.logWriter !== null) {
      const what = connection.takenOverBy;
      this.serverLog(connection.peer[0], `shutdown deadline: cut "${what}" (connection taken over)`);
      return;
    }
    const exchange = connection.inFlight;
    if (exchange === null || this.logWriter === null) return;
    const declared = exchange.declaredLength;
    const of = declared < 0 ? '' : ` of ${declared}`;
    const what = exchange.requestLine === '' ? 'a request' : `"${exchange.requestLine}"`;
    const message = `shutdown deadline: cut ${what} after ${exchange.bytesSent}${of} body bytes`;
    this.serverLog(connection.peer[0], message);
  }

  /** A line the server writes about `client` itself, in the handler class's log format. */
  private serverLog(client: string, message: string): void {
    this.log(this.RequestHandlerClass.serverLine(client, message));
  }

  /** Closes the listening socket and every connection at once (Python's `server_close()`). */
  async serverClose(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await this.shutdown(1); // 0 would wait for every request
  }

  /** Whether the log stream is a terminal, where a status may be shown in colour. */
  get logColour(): boolean {
    return this.logWriter?.colour ?? false;
  }

  /** Whether log lines go anywhere; handlers skip formatting them when not. */
  get logging(): boolean {
    return this.logWriter !== null;
  }

  /**
   * Writes one log line (handlers call this through `logMessage`). The lines of a refusal (a bad or timed-out
   * request) are written for the first few of each status in an interval, then counted.
   */
  log(line: string): void {
    if (this.refusing !== null) this.repeated?.line(this.refusing, line, REFUSAL_BURST);
    else this.logWriter?.write(line);
  }

  /** Writes pending log lines now. */
  flushLog(): void {
    this.logWriter?.flush();
  }
}

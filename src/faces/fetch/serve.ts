import type { LogFormat } from '../../server/access-log.js';
import { HTTPServer, type ClientAddress, type ServerOptions } from '../../server/http-server.js';
import { HTTPSServer } from '../../server/https-server.js';
import { InvalidFetchHandlerError } from './errors.js';
import { installFastResponse } from './fast-response.js';
import { FetchHandler } from './fetch-handler.js';

/** What the app learns about a request besides the `Request` itself. */
export interface FetchInfo {
  /** `[host, port]` of the client: the peer, or the client behind `trustProxy` proxies (port then 0). */
  readonly clientAddress: ClientAddress;
  /** The server running the app. */
  readonly server: FetchServer;
}

/** A Fetch-API app: Hono's `app.fetch`, or any `(request) => Response`. */
export type FetchApp = (request: Request, info: FetchInfo) => Response | Promise<Response>;

/** Answers a request whose app threw or rejected (before its response started). */
export type FetchErrorHandler = (error: unknown, request: Request) => Response | Promise<Response>;

/** Certificate and key for HTTPS, each as PEM text or as the path of a PEM file. */
export interface FetchTLSOptions {
  /** The certificate chain (it may hold the key too). */
  cert: string;
  /** The private key, when not in `cert`. */
  key?: string;
  /** The key's password, when it is encrypted. */
  passphrase?: string;
}

/** `serve()`'s options: the app, where to listen, and every option `HTTPServer` takes. */
export interface FetchServeOptions extends ServerOptions {
  /** The app. */
  fetch: FetchApp;
  /** Default 3000, as `@hono/node-server` and srvx; 0 picks a free port (read it from `port`). */
  port?: number;
  /** The address to bind; default '' (every address, IPv6 and IPv4). */
  hostname?: string;
  /** Listen on this Unix domain socket instead of `hostname` and `port` (as `HTTPServer`'s `socketPath`). */
  socketPath?: string;
  /** Serve HTTPS. */
  tls?: FetchTLSOptions;
  /** Closes the server (gracefully) when aborted. */
  signal?: AbortSignal;
  /** The response for a request whose app failed; default: a 500 page and the error in the log. */
  onError?: FetchErrorHandler;
  /**
   * Install a lightweight `Response` as the global one (default true), as `@hono/node-server` does: on
   * Node 20, `new Response('text')` otherwise costs more than the rest of a small exchange. It behaves as
   * Node's (it is one to `instanceof`, and becomes one when its body is read); false keeps Node's.
   */
  fastResponse?: boolean;
  /** The access log's format: `python` (the default), `common`, `combined` or `json`. */
  logFormat?: LogFormat;
  /** No access log lines; errors are still logged. */
  quiet?: boolean;
}

/**
 * A Fetch-API server, as `serve()` returns it (listening already); `ready()` says when it listens, or why not.
 */
export class FetchServer {
  /** The engine underneath, for what this face does not wrap (connections, `handleRequest`, …). */
  readonly httpServer: HTTPServer;
  /** Resolves once the server has stopped (after `close()`, or the `signal`). */
  readonly closed: Promise<void>;
  private listening: Promise<void> | null = null;
  private readonly scheme: string;

  constructor(options: FetchServeOptions) {
    const {
      fetch,
      port = 3000,
      hostname = '',
      socketPath,
      tls,
      signal,
      onError,
      fastResponse,
      logFormat = 'python',
      quiet = false,
      ...serverOptions
    } = options;
    if (typeof fetch !== 'function')
      throw new InvalidFetchHandlerError(`serve() needs a fetch function, not ${typeof fetch}`);
    if (onError !== undefined && typeof onError !== 'function')
      throw new InvalidFetchHandlerError(`onError must be a function, not ${typeof onError}`);
    if (fastResponse !== false) installFastResponse();
    this.scheme = tls === undefined ? 'http' : 'https';
    const Handler = class extends FetchHandler {};
    Object.assign(Handler.prototype, {
      app: fetch,
      onError: onError ?? null,
      face: this,
      scheme: this.scheme,
      logFormat,
      quiet,
    });
    const address = socketPath === undefined ? { host: hostname, port } : { socketPath };
    this.httpServer =
      tls === undefined
        ? new HTTPServer(address, Handler, serverOptions)
        : new HTTPSServer(address, Handler, {
            ...serverOptions,
            certfile: tls.cert,
            keyfile: tls.key,
            password: tls.passphrase,
          });
    this.closed = new Promise<void>((resolve) => {
      this.markClosed = resolve;
    });
    if (signal !== undefined) {
      if (signal.aborted) void this.close();
      else signal.addEventListener('abort', () => void this.close(), { once: true });
    }
  }

  private markClosed: () => void = () => {};

  /** Binds and serves, unless it does already. Resolves once listening; rejects with the bind error. */
  ready(): Promise<void> {
    if (this.listening === null) {
      this.listening = this.httpServer.start();
      this.listening.catch(() => this.markClosed());
    }
    return this.listening;
  }

  /** The bound port (the real one with port 0, once `ready()` resolved). */
  get port(): number {
    return this.httpServer.serverPort;
  }

  /**
   * `http://host:port/` for the bound address; a wildcard address shows as `localhost`, and so does a Unix
   * socket (`http://localhost/`, as curl's `--unix-socket` takes it).
   */
  get url(): string {
    if (this.httpServer.address.socketPath !== undefined) return `${this.scheme}://localhost/`;
    const host = this.httpServer.serverAddress[0];
    const shown = host === '' || host === '::' || host === '0.0.0.0' ? 'localhost' : host;
    return `${this.scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${this.port}/`;
  }

  /**
   * Graceful stop: no new connections, requests in flight finish (within `shutdownTimeout`; those cut then
   * see `request.signal` abort), idle connections close. Resolves once stopped, as `closed` does.
   */
  async close(): Promise<void> {
    await this.listening?.catch(() => {});
    await this.httpServer.shutdown();
    this.markClosed();
  }
}

/**
 * Serves a Fetch-API app (Hono's `app.fetch`, or any `(request) => Response`) on basehttp's engine, as
 * `@hono/node-server`'s `serve` and `Deno.serve` do: keep-alive, limits, timeouts, trusted proxies, HTTPS
 * and graceful shutdown are the engine's. Throws InvalidFetchHandlerError when `fetch` is no function.
 */
export function serve(options: FetchServeOptions): FetchServer {
  const server = new FetchServer(options);
  // A bind error is for `ready()` to report; a caller who never asks must not see it as unhandled.
  server.ready().catch(() => {});
  return server;
}

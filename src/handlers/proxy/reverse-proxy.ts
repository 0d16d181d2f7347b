import { drained } from '../../client/body-sender.js';
import { TimeoutError } from '../../client/errors.js';
import { Pool } from '../../client/pool.js';
import type { HTTPResponse } from '../../client/response.js';
import { BODY_END } from '../../protocol/message-reader.js';
import { HTTPSServer } from '../../server/https-server.js';
import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { injectedLength, injectLiveScript } from '../static/live-reload/inject.js';
import { FORWARDING_FIELDS, forwardingFields } from './forwarded.js';
import { endToEndFields } from './hop-by-hop.js';
import { isLivePage, isNavigation, MAX_LIVE_PAGE_BYTES, weakened } from './live-pages.js';
import {
  resolveReverseProxyOptions,
  type ReverseProxyOptions,
  type ResolvedReverseProxyOptions,
} from './options.js';
import { backendPath, routeFor, type ProxyRoute } from './route.js';
import { forwardUpgrade, upgradeOffer } from './upgrade.js';

/**
 * A backend that failed before its head: 504 when it did not answer in time, else 502. The error line
 * sendError writes says why (one line), and so does the page: this is a dev server.
 */
function gatewayError(handler: BaseHTTPRequestHandler, err: unknown): void {
  const [status, phrase] = err instanceof TimeoutError ? [504, 'Gateway Timeout'] : [502, 'Bad Gateway'];
  handler.sendError(status, `${phrase} (${(err as Error).message})`);
}

/** Request fields the proxy writes itself, or must not pass on: Host (the backend's), Expect (answered here). */
const REPLACED = new Set([...FORWARDING_FIELDS, 'host', 'expect']);
/** As REPLACED, with the client's Host kept (`preserveHost`). */
const REPLACED_KEEPING_HOST = new Set([...FORWARDING_FIELDS, 'expect']);
/** A page navigation under live reload also asks for the page uncompressed (`Accept-Encoding: identity`). */
const REPLACED_NAVIGATING = new Set([...REPLACED, 'accept-encoding']);
const REPLACED_KEEPING_HOST_NAVIGATING = new Set([...REPLACED_KEEPING_HOST, 'accept-encoding']);
/**
 * Under live reload the file server in front answers `Cache-Control: no-cache` (its endHeaders), so a
 * backend's Cache-Control is left out rather than sent beside it: one field that says what holds.
 */
const LIVE_REPLACED: ReadonlySet<string> = new Set(['cache-control']);
/** As LIVE_REPLACED, and a page's fields that no longer hold once the script is in: set again to match. */
const LIVE_PAGE_REPLACED: ReadonlySet<string> = new Set([...LIVE_REPLACED, 'content-length', 'etag']);

/**
 * The routes of a reverse proxy and a keep-alive Pool per backend origin, shared by every request of the
 * handler class it belongs to (and so, under `--workers`, one per process).
 */
export class ReverseProxy {
  readonly options: ResolvedReverseProxyOptions;
  private readonly pools = new Map<string, Pool>();
  /** The file server in front has live reload on: proxied HTML pages get its script too. */
  private readonly livePages: boolean;
  /** The backend's answer fields not passed on (LIVE_REPLACED under live reload), for any answer but a page. */
  private readonly answerReplaced: ReadonlySet<string> | undefined;
  /** The request fields not passed on as they came, for a request and for a page navigation under live reload. */
  private readonly replaced: ReadonlySet<string>;
  private readonly replacedNavigating: ReadonlySet<string>;

  constructor(options: ReverseProxyOptions, { livePages = false }: { livePages?: boolean } = {}) {
    this.options = resolveReverseProxyOptions(options);
    this.livePages = livePages;
    this.answerReplaced = livePages ? LIVE_REPLACED : undefined;
    const keepHost = this.options.preserveHost;
    this.replaced = keepHost ? REPLACED_KEEPING_HOST : REPLACED;
    this.replacedNavigating = keepHost ? REPLACED_KEEPING_HOST_NAVIGATING : REPLACED_NAVIGATING;
    const { connections, timeout, tls } = this.options;
    for (const { origin } of this.options.routes) {
      if (!this.pools.has(origin)) this.pools.set(origin, new Pool(origin, { connections, timeout, tls }));
    }
  }

  /** The route `path` falls under, or null: the request is not the proxy's. */
  routeFor(path: string): ProxyRoute | null {
    return routeFor(this.options.routes, path);
  }

  /**
   * Sends the handler's request to the route's backend and streams the answer back, both bodies with
   * backpressure. A backend that refuses or fails before its head gets 502, one that does not answer in
   * time 504; one that fails mid-body cuts the client's connection (never a complete-looking short body).
   * Each failure is one log line; a client that leaves closes the backend connection. A request offering an
   * upgrade (WebSocket, any protocol) goes through `forwardUpgrade` instead.
   */
  forward(handler: BaseHTTPRequestHandler, route: ProxyRoute): Promise<void> {
    const exchange = handler.exchange;
    // A page navigation under live reload: asked for uncompressed, and its HTML answer gets the script.
    const navigating = this.livePages && isNavigation(handler.command, handler.headers);
    const fields = this.requestFields(handler, navigating);
    const offer = upgradeOffer(handler);
    if (offer !== null) {
      return forwardUpgrade(handler, offer, {
        origin: this.pools.get(route.origin)!.url,
        path: backendPath(route, handler.path),
        fields,
        timeout: this.options.timeout,
        tls: this.options.tls,
        relay: (res) => this.relay(handler, res, route, navigating),
        failed: (err) => gatewayError(handler, err),
      });
    }
    // Gone already (it left while its request waited its turn): nothing to send, as an aborted signal did.
    if (exchange.aborted) return Promise.resolve();
    // The client leaving cancels the backend request through the exchange: no AbortSignal per request.
    const pending = this.pools.get(route.origin)!.send({
      method: handler.command,
      path: backendPath(route, handler.path),
      headers: fields,
      body: exchange.bodyDone ? null : handler.rfile,
    });
    exchange.cancelOnAbort = pending;
    // Chained, not awaited: a small answer is relayed in the one reaction its head settles.
    return pending.response.then(
      (res) => this.relay(handler, res, route, navigating),
      (err: unknown) => {
        // The client left, or its own body failed (complete() answers that): nothing for the backend's sake.
        if (exchange.aborted || exchange.bodyError !== null) return;
        gatewayError(handler, err);
      },
    );
  }

  /**
   * The fields sent on: the request's end-to-end ones (Host per `preserveHost`; for a live-reload
   * navigation, `Accept-Encoding: identity`), then the forwarding ones.
   */
  private requestFields(handler: BaseHTTPRequestHandler, navigating: boolean): Array<[string, string]> {
    const headers = handler.headers;
    const peer = handler.exchange.connection.peer[0];
    const fields = endToEndFields(headers, navigating ? this.replacedNavigating : this.replaced);
    if (navigating) fields.push(['Accept-Encoding', 'identity']);
    const forwarding = forwardingFields(headers, {
      peer,
      trusted: handler.server.trustsProxy(peer),
      proto: handler.server instanceof HTTPSServer ? 'https' : 'http',
      host: headers.get('host'),
    });
    for (const field of forwarding) fields.push(field);
    return fields;
  }

  /**
   * Sends the backend's answer on: its status, end-to-end fields and body; one access line. The answer to a
   * live-reload `navigating` request that is an HTML page gets the script (`relayLivePage`).
   */
  private relay(
    handler: BaseHTTPRequestHandler,
    res: HTTPResponse,
    route: ProxyRoute,
    navigating: boolean,
  ): void | Promise<void> {
    if (navigating && isLivePage(res)) return this.relayLivePage(handler, res, route);
    sendBackendHead(handler, res, this.answerReplaced);
    handler.endHeaders();
    return this.copyBody(handler, res, route);
  }

  /**
   * An HTML page with the live-reload script put in, as the file server does for its own pages: read whole
   * first (a backend failing meanwhile still gets a 502), then sent with its own Content-Length and the
   * backend's ETag made weak. A HEAD announces the length the GET would have. A page of unknown length
   * that proves too big is sent on as it came.
   */
  private async relayLivePage(
    handler: BaseHTTPRequestHandler,
    res: HTTPResponse,
    route: ProxyRoute,
  ): Promise<void> {
    // One byte past the limit tells a page too big to rewrite; read() keeps what came past it for copyBody.
    let page: Buffer;
    try {
      page = await res.read(MAX_LIVE_PAGE_BYTES + 1);
    } catch (err) {
      if (!handler.exchange.aborted) gatewayError(handler, err);
      return;
    }
    if (page.length > MAX_LIVE_PAGE_BYTES) {
      sendBackendHead(handler, res, LIVE_REPLACED);
      handler.endHeaders();
      handler.exchange.write(page);
      return this.copyBody(handler, res, route);
    }
    sendBackendHead(handler, res, LIVE_PAGE_REPLACED);
    const etag = res.headers.get('etag');
    if (etag !== undefined) handler.sendHeader('ETag', weakened(etag));
    if (handler.command === 'HEAD') {
      const length = res.headers.get('content-length');
      if (length !== undefined) handler.sendHeader('Content-Length', injectedLength(Number(length)));
      handler.endHeaders();
      return;
    }
    const body = injectLiveScript(page);
    handler.sendHeader('Content-Length', body.length);
    handler.endHeaders();
    handler.exchange.write(body);
  }

  /**
   * Streams the backend's body to the client at the client's pace; a failure cuts the client off. What has
   * arrived goes out at once, so a body that came with its head is done without a promise.
   */
  private copyBody(
    handler: BaseHTTPRequestHandler,
    res: HTTPResponse,
    route: ProxyRoute,
  ): void | Promise<void> {
    let wait: Promise<void> | null;
    try {
      wait = copyAvailable(handler, res);
    } catch (err) {
      failedMidBody(handler, route, err);
      return;
    }
    return wait === null ? undefined : this.copyRest(handler, res, route, wait);
  }

  /** The rest of a body that had to wait (for the backend, or for a slow client). */
  private async copyRest(
    handler: BaseHTTPRequestHandler,
    res: HTTPResponse,
    route: ProxyRoute,
    wait: Promise<void>,
  ): Promise<void> {
    try {
      for (let next: Promise<void> | null = wait; next !== null; next = copyAvailable(handler, res))
        await next;
    } catch (err) {
      failedMidBody(handler, route, err);
    }
  }
}

/**
 * The backend's status line and end-to-end fields (less `dropped`), with the one access line: the head of
 * every relayed answer, before `endHeaders`.
 */
function sendBackendHead(
  handler: BaseHTTPRequestHandler,
  res: HTTPResponse,
  dropped?: ReadonlySet<string>,
): void {
  handler.logRequest(res.status);
  handler.sendResponseOnly(res.status, res.reason);
  for (const [name, value] of endToEndFields(res.headers, dropped)) handler.sendHeader(name, value);
}

/** Writes the body bytes that have arrived: null once the body is done or the client left, else what to wait for. */
function copyAvailable(handler: BaseHTTPRequestHandler, res: HTTPResponse): Promise<void> | null {
  const exchange = handler.exchange;
  for (;;) {
    const piece = res.readAvailable();
    if (piece === BODY_END) return null;
    if (piece === null) {
      handler.flushHeaders();
      return res.whenReadable();
    }
    // Straight to the exchange, not through `wfile`: no stream made per request on this path.
    const room = exchange.write(piece);
    if (exchange.aborted) {
      res.close();
      return null;
    }
    if (!room) return drained(exchange.connection.socket);
  }
}

/** A backend that failed mid-body: the client's connection is cut, never ended as if the body were whole. */
function failedMidBody(handler: BaseHTTPRequestHandler, route: ProxyRoute, err: unknown): void {
  if (handler.exchange.aborted) return;
  handler.logError('proxy to %s failed mid-response: %s', route.origin, (err as Error).message);
  handler.exchange.fail();
}

import { drained } from '../../client/body-sender.js';
import { TimeoutError } from '../../client/errors.js';
import { Pool } from '../../client/pool.js';
import type { HTTPResponse } from '../../client/response.js';
import { BODY_END } from '../../protocol/message-reader.js';
import { HTTPSServer } from '../../server/https-server.js';
import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { FORWARDING_FIELDS, forwardingFields } from './forwarded.js';
import { endToEndFields } from './hop-by-hop.js';
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

/**
 * The routes of a reverse proxy and a keep-alive Pool per backend origin, shared by every request of the
 * handler class it belongs to (and so, under `--workers`, one per process).
 */
export class ReverseProxy {
  readonly options: ResolvedReverseProxyOptions;
  private readonly pools = new Map<string, Pool>();

  constructor(options: ReverseProxyOptions) {
    this.options = resolveReverseProxyOptions(options);
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
    const fields = this.requestFields(handler);
    const offer = upgradeOffer(handler);
    if (offer !== null) {
      return forwardUpgrade(handler, offer, {
        origin: this.pools.get(route.origin)!.url,
        path: backendPath(route, handler.path),
        fields,
        timeout: this.options.timeout,
        tls: this.options.tls,
        relay: (res) => this.relay(handler, res, route),
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
      (res) => this.relay(handler, res, route),
      (err: unknown) => {
        // The client left, or its own body failed (complete() answers that): nothing for the backend's sake.
        if (exchange.aborted || exchange.bodyError !== null) return;
        gatewayError(handler, err);
      },
    );
  }

  /** The fields sent on: the request's end-to-end ones (Host per `preserveHost`), then the forwarding ones. */
  private requestFields(handler: BaseHTTPRequestHandler): Array<[string, string]> {
    const headers = handler.headers;
    const peer = handler.exchange.connection.peer[0];
    const fields = endToEndFields(headers, this.options.preserveHost ? REPLACED_KEEPING_HOST : REPLACED);
    const forwarding = forwardingFields(headers, {
      peer,
      trusted: handler.server.trustsProxy(peer),
      proto: handler.server instanceof HTTPSServer ? 'https' : 'http',
      host: headers.get('host'),
    });
    for (const field of forwarding) fields.push(field);
    return fields;
  }

  /** Sends the backend's answer on: its status, end-to-end fields and body; one access line. */
  private relay(handler: BaseHTTPRequestHandler, res: HTTPResponse, route: ProxyRoute): void | Promise<void> {
    handler.logRequest(res.status);
    handler.sendResponseOnly(res.status, res.reason);
    for (const [name, value] of endToEndFields(res.headers)) handler.sendHeader(name, value);
    handler.endHeaders();
    return this.copyBody(handler, res, route);
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

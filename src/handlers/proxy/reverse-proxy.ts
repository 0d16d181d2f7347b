import { drained } from '../../client/body-sender.js';
import { TimeoutError } from '../../client/errors.js';
import { Pool } from '../../client/pool.js';
import type { HTTPResponse } from '../../client/response.js';
import { BODY_END } from '../../protocol/message-reader.js';
import { listHas } from '../../protocol/websocket/handshake.js';
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

/** Request fields the proxy writes itself, or must not pass on: Host (the backend's), Expect (answered here). */
const REPLACED = new Set([...FORWARDING_FIELDS, 'host', 'expect']);
/** As REPLACED, with the client's Host kept (`preserveHost`). */
const REPLACED_KEEPING_HOST = new Set([...FORWARDING_FIELDS, 'expect']);
/** No response field is replaced: the backend's Date, Server and the rest go through as sent. */
const NONE: ReadonlySet<string> = new Set();

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
   * Each failure is one log line; a client that leaves closes the backend connection.
   */
  async forward(handler: BaseHTTPRequestHandler, route: ProxyRoute): Promise<void> {
    const exchange = handler.exchange;
    const headers = handler.headers;
    // Other upgrades (h2c) may be ignored (RFC 9110 §7.8): the request goes on as plain HTTP/1.1. A WebSocket
    // handshake means nothing without its upgrade, and this proxy does not carry one yet: say so.
    if (listHas(headers, 'upgrade', 'websocket')) {
      handler.sendError(501, 'WebSocket upgrades are not proxied');
      return;
    }
    // Gone already (it left while its request waited its turn): nothing to send, as an aborted signal did.
    if (exchange.aborted) return;
    const peer = exchange.connection.peer[0];
    const fields = endToEndFields(headers, this.options.preserveHost ? REPLACED_KEEPING_HOST : REPLACED);
    const forwarding = forwardingFields(headers, {
      peer,
      trusted: handler.server.trustsProxy(peer),
      proto: handler.server instanceof HTTPSServer ? 'https' : 'http',
      host: headers.get('host'),
    });
    for (const field of forwarding) fields.push(field);
    // The client leaving cancels the backend request through the exchange: no AbortSignal per request.
    const pending = this.pools.get(route.origin)!.send({
      method: handler.command,
      path: backendPath(route, handler.path),
      headers: fields,
      body: exchange.bodyDone ? null : handler.rfile,
    });
    exchange.cancelOnAbort = pending;
    let res: HTTPResponse;
    try {
      res = await pending.response;
    } catch (err) {
      // The client left, or its own body failed (complete() answers that): nothing for the backend's sake.
      if (exchange.aborted || exchange.bodyError !== null) return;
      // The error line sendError writes says why (one line), and so does the page: this is a dev server.
      const [status, phrase] = err instanceof TimeoutError ? [504, 'Gateway Timeout'] : [502, 'Bad Gateway'];
      handler.sendError(status, `${phrase} (${(err as Error).message})`);
      return;
    }
    handler.logRequest(res.status);
    handler.sendResponseOnly(res.status, res.reason);
    for (const [name, value] of endToEndFields(res.headers, NONE)) handler.sendHeader(name, value);
    handler.endHeaders();
    await this.copyBody(handler, res, route);
  }

  /** Streams the backend's body to the client at the client's pace; a failure cuts the client off. */
  private async copyBody(
    handler: BaseHTTPRequestHandler,
    res: HTTPResponse,
    route: ProxyRoute,
  ): Promise<void> {
    const exchange = handler.exchange;
    try {
      for (;;) {
        const piece = res.readAvailable();
        if (piece === BODY_END) return;
        if (piece === null) {
          handler.flushHeaders();
          await res.whenReadable();
        } else if (!exchange.write(piece)) {
          // Straight to the exchange, not through `wfile`: no stream made per request on this path.
          await drained(exchange.connection.socket);
        }
        if (exchange.aborted) {
          res.close();
          return;
        }
      }
    } catch (err) {
      if (exchange.aborted) return;
      handler.logError('proxy to %s failed mid-response: %s', route.origin, (err as Error).message);
      exchange.fail();
    }
  }
}

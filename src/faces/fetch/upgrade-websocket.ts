/**
 * Deno's `upgradeWebSocket(request)` for apps served by `serve()`: the app gets a socket and a 101 response
 * to return; the socket opens once that response is written.
 */
import { checkWebSocket, type WebSocketHandshake } from '../../server/accept-websocket.js';
import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import type { WebSocketOptions } from '../../websocket/options.js';
import type { WebSocket } from '../../websocket/websocket.js';
import { WebSocketUpgradeError } from './errors.js';

/** The handler a served Request came from, stored on the Request itself (one property, no map per request). */
const kServedBy = Symbol('servedBy');
/** A handshake made by `upgradeWebSocket`, on its handler, until the response is written or given up. */
const kHandshake = Symbol('handshake');
/** On an upgrade response: the handler and handshake it answers. */
const kUpgrade = Symbol('upgrade');

type Served = Request & { [kServedBy]?: BaseHTTPRequestHandler };
type Upgrading = BaseHTTPRequestHandler & { [kHandshake]?: WebSocketHandshake };
type UpgradeResponse = Response & {
  [kUpgrade]?: { readonly handler: BaseHTTPRequestHandler; readonly handshake: WebSocketHandshake };
};

/** What `upgradeWebSocket` gives the app. */
export interface WebSocketUpgrade {
  /** The socket, CONNECTING until `response` has been written; set its listeners now. */
  readonly socket: WebSocket;
  /** The 101 response to return from `fetch` (headers set on it, such as Set-Cookie, go out with it). */
  readonly response: Response;
}

/** Marks `request` as the one `handler` gave the app. */
export function markServed(request: Request, handler: BaseHTTPRequestHandler): void {
  (request as Served)[kServedBy] = handler;
}

/**
 * Accepts a WebSocket handshake in a `serve()` app, with Deno's semantics: returns the socket and the 101
 * response the app returns from `fetch`; the socket opens once the response is written. A request that is
 * no valid handshake throws a WebSocketHandshakeError, answered (unless the app catches it) with its 400 or
 * 426 and the fields it calls for. Options are `acceptWebSocket`'s. Throws WebSocketUpgradeError for a
 * Request that did not come from `serve()`, or a second call for one request.
 */
export function upgradeWebSocket(request: Request, options?: WebSocketOptions): WebSocketUpgrade {
  const handler: Upgrading | undefined = (request as Served)[kServedBy];
  if (handler === undefined)
    throw new WebSocketUpgradeError('upgradeWebSocket() takes the Request serve() gave the app');
  if (handler[kHandshake] !== undefined)
    throw new WebSocketUpgradeError('upgradeWebSocket() was already called for this request');
  const handshake = checkWebSocket(handler, options);
  handler[kHandshake] = handshake;
  const response = new Response(null) as UpgradeResponse;
  // The Fetch standard's Response cannot be made with a 1xx status; it says 101 to the app's middleware.
  Object.defineProperties(response, {
    status: { value: 101 },
    statusText: { value: 'Switching Protocols' },
    ok: { value: false },
  });
  response[kUpgrade] = { handler, handshake };
  return { socket: handshake.socket, response };
}

/**
 * What `response` upgrades, when it is an upgrade response of `handler`'s request; undefined for any other
 * response, and then a handshake the app made but did not return is given up (its socket closes with 1006).
 * Throws WebSocketUpgradeError for the upgrade response of another request.
 */
export function upgradeOf(
  handler: BaseHTTPRequestHandler,
  response: Response,
): WebSocketHandshake | undefined {
  const upgrade = (response as UpgradeResponse)[kUpgrade];
  if (upgrade !== undefined && upgrade.handler !== handler) {
    giveUpUpgrade(handler);
    throw new WebSocketUpgradeError('The fetch handler returned the upgrade response of another request');
  }
  if (upgrade === undefined) {
    giveUpUpgrade(handler);
    return undefined;
  }
  (handler as Upgrading)[kHandshake] = undefined;
  return upgrade.handshake;
}

/** The app answered otherwise (or failed): a socket it made for this request will never open. */
export function giveUpUpgrade(handler: BaseHTTPRequestHandler): void {
  const handshake = (handler as Upgrading)[kHandshake];
  if (handshake === undefined) return;
  (handler as Upgrading)[kHandshake] = undefined;
  handshake.socket.abandon(
    new WebSocketUpgradeError('The fetch handler did not return the response upgradeWebSocket() made'),
  );
}

/** The fields of an upgrade response the app set, less those the 101 itself says or that frame a body. */
export function upgradeFields(response: Response): Array<readonly [string, string]> {
  const fields: Array<readonly [string, string]> = [];
  for (const [name, value] of response.headers) {
    if (OWN_FIELDS.has(name) || name.startsWith('sec-websocket-')) continue;
    fields.push([name, value]);
  }
  return fields;
}

const OWN_FIELDS = new Set(['upgrade', 'connection', 'content-length', 'transfer-encoding', 'content-type']);

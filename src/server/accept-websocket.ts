import { HTTPStatusError, type StatusErrorFields } from '../connection/status-error.js';
import { negotiateDeflate } from '../protocol/websocket/deflate-offer.js';
import { ExtensionHeaderError } from '../protocol/websocket/extensions-header.js';
import { checkHandshake, chooseProtocol } from '../protocol/websocket/handshake.js';
import { resolveWebSocketOptions, type WebSocketOptions } from '../websocket/options.js';
import { WebSocket } from '../websocket/websocket.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';
import { errorDetail } from './error-detail.js';

/**
 * A request `acceptWebSocket` refuses: 400 for a broken handshake, 426 for a request that is no WebSocket
 * upgrade (`fields` carry `Upgrade: websocket`, `Connection: Upgrade`) or of another version than 13
 * (`Sec-WebSocket-Version: 13`). Uncaught, it is answered with its status and fields, as any HTTPStatusError.
 */
export class WebSocketHandshakeError extends HTTPStatusError {
  /** Stable identifier to test for instead of the message. */
  override readonly code = 'BH_ERR_WEBSOCKET_HANDSHAKE';

  constructor(status: number, message: string, fields: StatusErrorFields = []) {
    super(status, message, { fields });
    this.name = 'WebSocketHandshakeError';
  }
}

/** A handshake checked and settled, not yet answered: what the 101 and the socket are made from. */
export interface WebSocketHandshake {
  /** The Sec-WebSocket-Accept value. */
  readonly accept: string;
  /** The chosen subprotocol, '' for none. */
  readonly protocol: string;
  /** The permessage-deflate answer and parameters, or null. */
  readonly deflate: ReturnType<typeof negotiateDeflate>;
  /** The socket the 101 will open, CONNECTING until then. */
  readonly socket: WebSocket;
}

/**
 * Checks the request's opening handshake and settles subprotocol and compression; the socket it makes is
 * CONNECTING until `answerWebSocket`. Throws WebSocketHandshakeError (answered with its status and fields),
 * or WebSocketOptionError for options out of range.
 */
export function checkWebSocket(
  handler: BaseHTTPRequestHandler,
  options?: WebSocketOptions,
): WebSocketHandshake {
  const resolved = resolveWebSocketOptions(options);
  const request = handler.exchange.head;
  const check = checkHandshake(handler.command, request?.versionMinor ?? 0, handler.headers);
  if (!check.ok) throw new WebSocketHandshakeError(check.status, check.message, check.fields);
  const protocol = chooseProtocol(check.protocols, resolved.protocols);
  const deflate = resolved.compress === false ? null : negotiate(check.extensions, resolved.compress);
  const socket = WebSocket.pending({
    url: handler.path,
    protocol,
    extensions: deflate?.responseValue ?? '',
    deflate: deflate?.params ?? null,
    options: resolved,
    reportError: listenerErrorReporter(handler),
  });
  return { accept: check.accept, protocol, deflate, socket };
}

/**
 * Logs what a WebSocket listener throws, as the handler class writes its lines, without keeping the handler
 * (and with it the request's head) alive for as long as the socket is open.
 */
function listenerErrorReporter(handler: BaseHTTPRequestHandler): (error: unknown) => void {
  const { server } = handler;
  const Handler = handler.constructor as typeof BaseHTTPRequestHandler;
  const client = handler.addressString();
  const url = handler.path;
  return (error) => {
    if (!server.logging) return;
    server.log(Handler.serverLine(client, `Exception in WebSocket listener (${url}): ${errorDetail(error)}`));
  };
}

/**
 * Answers a checked handshake with 101 (and `fields` the app added, such as Set-Cookie), takes the
 * connection over and opens the socket.
 */
export function answerWebSocket(
  handler: BaseHTTPRequestHandler,
  handshake: WebSocketHandshake,
  fields: Iterable<readonly [string, string]> = [],
): WebSocket {
  const { socket, protocol, deflate } = handshake;
  handler.sendResponse(101);
  for (const [name, value] of fields) handler.sendHeader(name, value);
  handler.sendHeader('Upgrade', 'websocket');
  handler.sendHeader('Connection', 'Upgrade');
  handler.sendHeader('Sec-WebSocket-Accept', handshake.accept);
  if (protocol !== '') handler.sendHeader('Sec-WebSocket-Protocol', protocol);
  if (deflate !== null) handler.sendHeader('Sec-WebSocket-Extensions', deflate.responseValue);
  handler.endHeaders();
  const taken = handler.takeOverConnection(() => socket.shutdown());
  socket.open(taken.socket, taken.head);
  return socket;
}

/** `BaseHTTPRequestHandler.acceptWebSocket`: checks the handshake, answers 101, takes the connection over. */
export function acceptWebSocket(handler: BaseHTTPRequestHandler, options?: WebSocketOptions): WebSocket {
  return answerWebSocket(handler, checkWebSocket(handler, options));
}

/** negotiateDeflate, with a Sec-WebSocket-Extensions no server can read answered 400 (RFC 6455 §4.2.1). */
function negotiate(
  offer: string | undefined,
  compress: Parameters<typeof negotiateDeflate>[1],
): ReturnType<typeof negotiateDeflate> {
  try {
    return negotiateDeflate(offer, compress);
  } catch (err) {
    if (err instanceof ExtensionHeaderError) throw new WebSocketHandshakeError(400, err.message);
    throw err;
  }
}

import { HTTPStatusError, type StatusErrorFields } from '../connection/status-error.js';
import { negotiateDeflate } from '../protocol/websocket/deflate-offer.js';
import { ExtensionHeaderError } from '../protocol/websocket/extensions-header.js';
import { checkHandshake, chooseProtocol } from '../protocol/websocket/handshake.js';
import { resolveWebSocketOptions, type WebSocketOptions } from '../websocket/options.js';
import { WebSocket } from '../websocket/websocket.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';

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

/** `BaseHTTPRequestHandler.acceptWebSocket`: checks the handshake, answers 101, takes the connection over. */
export function acceptWebSocket(handler: BaseHTTPRequestHandler, options?: WebSocketOptions): WebSocket {
  const resolved = resolveWebSocketOptions(options);
  const request = handler.exchange.head;
  const check = checkHandshake(handler.command, request?.versionMinor ?? 0, handler.headers);
  if (!check.ok) throw new WebSocketHandshakeError(check.status, check.message, check.fields);
  const protocol = chooseProtocol(check.protocols, resolved.protocols);
  const deflate = resolved.compress === false ? null : negotiate(check.extensions, resolved.compress);
  handler.sendResponse(101);
  handler.sendHeader('Upgrade', 'websocket');
  handler.sendHeader('Connection', 'Upgrade');
  handler.sendHeader('Sec-WebSocket-Accept', check.accept);
  if (protocol !== '') handler.sendHeader('Sec-WebSocket-Protocol', protocol);
  if (deflate !== null) handler.sendHeader('Sec-WebSocket-Extensions', deflate.responseValue);
  handler.endHeaders();
  let socket: WebSocket | null = null;
  const taken = handler.takeOverConnection(() => socket?.shutdown());
  socket = WebSocket.attach(taken.socket, taken.head, {
    url: handler.path,
    protocol,
    extensions: deflate?.responseValue ?? '',
    deflate: deflate?.params ?? null,
    options: resolved,
    reportError: (err) => {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      handler.logError('Exception in WebSocket listener (%s): %s', handler.path, detail);
    },
  });
  return socket;
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

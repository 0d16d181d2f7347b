import type { WebSocket } from './websocket.js';

/** What every WebSocket event has: its type and the socket it happened on. Plain objects, one per event. */
export interface WebSocketEvent {
  readonly type: string;
  readonly target: WebSocket;
}

/** A message: text as a string, binary data as `binaryType` says (ArrayBuffer, Buffer or Blob). */
export interface WebSocketMessageEvent extends WebSocketEvent {
  readonly type: 'message';
  readonly data: string | ArrayBuffer | Buffer | Blob;
}

/**
 * The connection closed: the code and reason of the peer's close frame (1005 when it had no code), or 1006
 * when none came; `wasClean` when both close frames were exchanged.
 */
export interface WebSocketCloseEvent extends WebSocketEvent {
  readonly type: 'close';
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** Something went wrong: the peer broke the protocol (WebSocketProtocolError) or the socket failed. */
export interface WebSocketErrorEvent extends WebSocketEvent {
  readonly type: 'error';
  readonly error: Error;
  readonly message: string;
}

/** Each event type and the event its listeners get. */
export interface WebSocketEventMap {
  open: WebSocketEvent;
  message: WebSocketMessageEvent;
  close: WebSocketCloseEvent;
  error: WebSocketErrorEvent;
  drain: WebSocketEvent;
}

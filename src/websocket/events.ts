import type { WebSocket } from './websocket.js';

/** What every WebSocket event has: its type and the socket it happened on. Plain objects, one per event. */
export interface WebSocketEvent {
  /** The event type: 'open', 'message', 'close', 'error' or 'drain'. */
  readonly type: string;
  /** The socket the event happened on. */
  readonly target: WebSocket;
}

/** A message: text as a string, binary data as `binaryType` says (ArrayBuffer, Buffer or Blob). */
export interface WebSocketMessageEvent extends WebSocketEvent {
  /** Always 'message'. */
  readonly type: 'message';
  /** The message: a string for text, else an ArrayBuffer, Buffer or Blob as the socket's `binaryType` says. */
  readonly data: string | ArrayBuffer | Buffer | Blob;
}

/**
 * The connection closed: the code and reason of the peer's close frame (1005 when it had no code), or 1006
 * when none came; `wasClean` when both close frames were exchanged.
 */
export interface WebSocketCloseEvent extends WebSocketEvent {
  /** Always 'close'. */
  readonly type: 'close';
  /** The peer's close code, 1005 when its close frame had none, 1006 when no close frame came. */
  readonly code: number;
  /** The peer's close reason ('' for none). */
  readonly reason: string;
  /** Whether both close frames were exchanged before the connection closed. */
  readonly wasClean: boolean;
}

/** Something went wrong: the peer broke the protocol (WebSocketProtocolError) or the socket failed. */
export interface WebSocketErrorEvent extends WebSocketEvent {
  /** Always 'error'. */
  readonly type: 'error';
  /** What went wrong: a WebSocketProtocolError, or the socket's own error. */
  readonly error: Error;
  /** The error's message. */
  readonly message: string;
}

/** Each event type and the event its listeners get. */
export interface WebSocketEventMap {
  /** The socket is open (a microtask after `acceptWebSocket`). */
  open: WebSocketEvent;
  /** A message arrived. */
  message: WebSocketMessageEvent;
  /** The connection closed. */
  close: WebSocketCloseEvent;
  /** The peer broke the protocol, or the socket failed. */
  error: WebSocketErrorEvent;
  /** Everything sent has been taken by the network after `send()` returned false. */
  drain: WebSocketEvent;
}

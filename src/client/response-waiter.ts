import type net from 'node:net';
import type { ResponseHead } from '../protocol/response-reader.js';

/** A client connection a 101 answer took out of HTTP: what a reverse proxy joins to its client's socket. */
export interface SwitchedConnection {
  /** The socket, paused and untimed; its reads come through `read`, never 'data' events. */
  readonly socket: net.Socket;
  /** Bytes the server sent past the 101 head (the new protocol's first bytes), maybe empty. */
  readonly head: Buffer;
  /** Sends each chunk read from now on to `reader` (a view valid during the call; false pauses) and resumes. */
  read(reader: (chunk: Buffer) => boolean): void;
}

/**
 * One request written on a ClientSocket, waiting for its response: HTTPConnection's pending response and
 * each of the Pool's requests are one.
 */
export interface ResponseWaiter {
  /** The request's method: the response to a HEAD has no body. */
  readonly method: string;
  /** The final response head (1xx are skipped). Its body, if any, is read with `ClientSocket.readBody`. */
  onHead(head: ResponseHead): void;
  /**
   * No head will come. A RemoteDisconnected means no byte of the response came back (the server closed or
   * reset the connection first), so an idempotent request may be sent again.
   */
  onError(err: Error): void;
  /** The request left the socket: its response was read to the end, or failed. */
  onEnd?(): void;
  /** Whether another request may be pipelined behind this one (idempotent, nothing streamed). */
  readonly pipelinable?: boolean;
  /** Set for a request offering an upgrade: a 101 hands the connection over here instead of closing it. */
  onSwitch?(head: ResponseHead, switched: SwitchedConnection): void;
  /** Set while the body waits on `Expect: 100-continue`: true on `100 Continue`, false when not to send it. */
  onContinue?: ((proceed: boolean) => void) | undefined;
}

import type { ResponseHead } from '../protocol/response-reader.js';

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
  /** Set while the body waits on `Expect: 100-continue`: true on `100 Continue`, false when not to send it. */
  onContinue?: ((proceed: boolean) => void) | undefined;
}

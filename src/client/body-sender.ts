import type net from 'node:net';
import type { Writable } from 'node:stream';
import { ContentLengthMismatch } from './errors.js';
import type { OutgoingRequest } from './outgoing-request.js';
import type { ResponseWaiter } from './response-waiter.js';

/** What the body senders need of the ClientSocket they write on. */
export interface BodyChannel {
  readonly sock: net.Socket;
  /** Whether the connection can still carry the body (not once it failed or the server ended it). */
  readonly usable: boolean;
  /** Writes bytes after anything held (a string as UTF-8); resolves when the socket can take more. */
  write(data: string | Uint8Array): Promise<void>;
  /** Gives up on the connection, `culprit` getting `err`. */
  fail(err: Error, culprit: ResponseWaiter): void;
}

/**
 * Sends the body of `request` (its head already written) once the server says `100 Continue`, or after
 * `continueTimeout` ms without an answer (RFC 9110 §10.1.1); not at all when a final answer comes first.
 */
export async function sendAfterContinue(
  channel: BodyChannel,
  waiter: ResponseWaiter,
  request: OutgoingRequest,
  continueTimeout: number,
): Promise<void> {
  const proceed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      waiter.onContinue = undefined;
      resolve(true);
    }, continueTimeout);
    waiter.onContinue = (go) => {
      clearTimeout(timer);
      resolve(go);
    };
  });
  if (!proceed || !channel.usable) return;
  if (request.body !== null) await channel.write(request.body);
  else await sendStream(channel, waiter, request.stream!, request.chunked, request.length);
}

/**
 * Sends a streamed body, in chunks when `chunked` (its length unknown), else held to the caller's `length`
 * when one was declared; stops quietly when the connection fails. A stream that throws, or runs past or short
 * of `length` (ContentLengthMismatch: nothing past it is written), fails the connection and rethrows.
 */
export async function sendStream(
  channel: BodyChannel,
  waiter: ResponseWaiter,
  stream: NonNullable<OutgoingRequest['stream']>,
  chunked: boolean,
  length: number | null,
): Promise<void> {
  const sock = channel.sock;
  let left = length ?? Infinity;
  try {
    for await (const piece of stream) {
      // Whatever went wrong is the response's to report (an early 413, a reset): stop sending.
      if (!channel.usable) return;
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      if (bytes.length === 0) continue;
      if (bytes.length > left)
        throw new ContentLengthMismatch(`the body runs past its Content-Length of ${length}`);
      left -= bytes.length;
      let more: boolean;
      if (chunked) {
        sock.cork();
        sock.write(`${bytes.length.toString(16)}\r\n`, 'latin1');
        sock.write(bytes);
        more = sock.write('\r\n', 'latin1');
        sock.uncork();
      } else {
        more = sock.write(bytes);
      }
      if (!more) await drained(sock);
    }
    if (left > 0 && left !== Infinity && channel.usable) {
      throw new ContentLengthMismatch(
        `the body ended ${left} bytes short of its Content-Length of ${length}`,
      );
    }
  } catch (err) {
    // A body that fails half-way leaves the request unframed: the connection cannot be used any more.
    channel.fail(err as Error, waiter);
    throw err;
  }
  if (chunked && channel.usable) sock.write('0\r\n\r\n', 'latin1');
}

/** Resolves on 'drain', or when the socket (or stream) closes (no drain will come then). */
export function drained(sock: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

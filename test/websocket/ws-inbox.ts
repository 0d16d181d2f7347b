/**
 * The `ws` npm client as the WebSocket tests use it: opened and awaited, with every message and the close
 * recorded so a test can wait for "the next message" or "the close" without racing the events.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

/** One message as the client saw it. */
export interface Received {
  data: Buffer;
  isBinary: boolean;
}

/** A `ws` client and what it received so far. */
export class Inbox {
  readonly messages: Received[] = [];
  /** The Sec-WebSocket-Extensions of the server's 101 (the client's `extensions` has only the names). */
  agreedExtensions = '';
  /** The close code and reason, once closed. */
  closed: Promise<{ code: number; reason: string }>;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly socket: WebSocket) {
    socket.once('upgrade', (response: IncomingMessage) => {
      this.agreedExtensions = response.headers['sec-websocket-extensions'] ?? '';
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push({ data, isBinary });
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  /** Resolves with the `n`-th message (1-based) once it has arrived; rejects if the socket closes first. */
  async message(n: number): Promise<Received> {
    while (this.messages.length < n) {
      if (this.socket.readyState === WebSocket.CLOSED)
        throw new Error(`closed after ${this.messages.length} messages, waiting for message ${n}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.messages[n - 1]!;
  }

  /** The `n`-th message as text. */
  async text(n: number): Promise<string> {
    return (await this.message(n)).data.toString();
  }
}

/** Opens a `ws` client on `url` and resolves once the handshake is done; rejects on a refused handshake. */
export async function openInbox(
  url: string,
  protocols: string[] = [],
  options: ClientOptions = {},
): Promise<Inbox> {
  const socket = new WebSocket(url, protocols, options);
  const inbox = new Inbox(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return inbox;
}

/**
 * The chat's one rule, shared by both servers (server.ts on the handler API, hono.ts on the Fetch face):
 * every message that arrives goes to every open socket, the sender's included, so all pages show the same
 * order.
 */
import { WebSocket } from '../../src/index.js';

/** The close code a client too slow to read its messages gets (an application code, 4000-4999). */
export const TOO_SLOW = 4001;

/** The open sockets of one chat, and the broadcast. */
export class ChatRoom {
  readonly #members = new Set<WebSocket>();

  /** Adds a socket (open or about to open): it gets every message from now on and may send its own. */
  join(socket: WebSocket): void {
    socket.binaryType = 'nodebuffer'; // forwarded as it came, never converted
    socket.addEventListener('open', () => this.#members.add(socket));
    socket.addEventListener('message', (event) => this.broadcast(event.data));
    socket.addEventListener('close', () => this.#members.delete(socket));
  }

  /**
   * Sends `data` to every member. One that has a full `highWaterMark` of messages it did not read yet is
   * dropped: a client that stopped reading must not make the server hold every later message for it.
   */
  broadcast(data: string | Buffer | ArrayBuffer | Blob): void {
    for (const member of this.#members) {
      if (member.send(data)) continue;
      this.#members.delete(member);
      console.error(`chat: dropped a client that stopped reading (${member.bufferedAmount} bytes queued)`);
      member.close(TOO_SLOW, 'too slow');
    }
  }
}

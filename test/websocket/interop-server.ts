/**
 * The basehttp side of the interop tests: one handler with a route per thing a client checks, and the
 * closes the server saw, so a test can assert what each side got.
 * - `/` the chat page of examples/chat, `/ws` its room;
 * - `/echo` every message back as it came (text as text, binary as binary);
 * - `/describe` one text message, `{ protocol, extensions, url }` as the server's socket has them;
 * - `/close?code=&reason=` closes with that code and reason once open.
 */
import { BaseHTTPRequestHandler, type WebSocketOptions } from '../../src/index.js';
import { ChatRoom } from '../../examples/chat/chat-room.js';
import { sendChatPage } from '../../examples/chat/page.js';

/** A close the server saw: what the peer sent (or 1006), and whether the handshake completed. */
export interface ServerClose {
  path: string;
  code: number;
  reason: string;
  wasClean: boolean;
}

/** The handler for `options` (used for every route) and the closes it records. */
export function interopHandler(options: WebSocketOptions = {}): {
  Handler: typeof BaseHTTPRequestHandler;
  closes: ServerClose[];
} {
  const closes: ServerClose[] = [];
  const room = new ChatRoom();
  class Interop extends BaseHTTPRequestHandler {
    doGET(): void {
      const url = new URL(this.path, 'http://127.0.0.1');
      if (url.pathname === '/') {
        sendChatPage(this);
        return;
      }
      if (!['/ws', '/echo', '/describe', '/close'].includes(url.pathname)) return this.sendError(404);
      const socket = this.acceptWebSocket(options);
      socket.addEventListener('close', ({ code, reason, wasClean }) =>
        closes.push({ path: url.pathname, code, reason, wasClean }),
      );
      if (url.pathname === '/ws') return room.join(socket);
      socket.binaryType = 'nodebuffer';
      if (url.pathname === '/echo') {
        socket.onmessage = (event) => socket.send(event.data);
      } else if (url.pathname === '/describe') {
        socket.onopen = () =>
          socket.send(
            JSON.stringify({ protocol: socket.protocol, extensions: socket.extensions, url: socket.url }),
          );
      } else {
        const code = Number(url.searchParams.get('code'));
        socket.onopen = () => socket.close(code, url.searchParams.get('reason') ?? '');
      }
    }
  }
  return { Handler: Interop, closes };
}

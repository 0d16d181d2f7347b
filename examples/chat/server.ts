/**
 * A broadcast chat on the handler API: `/` sends the page, `/ws` becomes a WebSocket that joins the room.
 * Run: npm run example:chat -- [--port 8000] [--host 127.0.0.1], then open the page in two browser tabs.
 */
import { parseArgs } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';
import { ChatRoom } from './chat-room.js';
import { sendChatPage } from './page.js';

const room = new ChatRoom();

class Chat extends BaseHTTPRequestHandler {
  doGET(): void {
    if (this.pathname === '/ws') {
      // A request that is no WebSocket handshake gets its 400 or 426 here, and no socket.
      room.join(this.acceptWebSocket({ compress: true }));
      return;
    }
    if (this.pathname !== '/') return this.sendError(404);
    sendChatPage(this);
  }
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const server = new HTTPServer({ host: values.host, port: Number(values.port) }, Chat);
await server.listen();
console.log(`chat: listening on http://${values.host}:${server.serverPort}/`);
// shutdown() closes every chat socket with 1001 (going away) before it stops.
process.once('SIGINT', () => void server.shutdown());
process.once('SIGTERM', () => void server.shutdown());
await server.serveForever();

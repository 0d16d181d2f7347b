/**
 * The same broadcast chat as server.ts, as a Hono app on the Fetch face: `upgradeWebSocket()` answers the
 * handshake with the response the route returns, and the socket opens once that response is written.
 * Run: npm run example:chat-hono -- [--port 8000] [--host 127.0.0.1]
 */
import { parseArgs } from 'node:util';
import { Hono } from 'hono';
import { serve, upgradeWebSocket } from '../../src/index.js';
import { ChatRoom } from './chat-room.js';
import { CHAT_PAGE } from './page.js';

const room = new ChatRoom();
const app = new Hono();
app.get('/', (c) => c.html(CHAT_PAGE));
app.get('/ws', (c) => {
  const { socket, response } = upgradeWebSocket(c.req.raw, { compress: true });
  room.join(socket);
  return response;
});

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const server = serve({ fetch: app.fetch, port: Number(values.port), hostname: values.host });
await server.ready();
console.log(`chat (Hono): listening on ${server.url}`);
process.once('SIGINT', () => void server.close());
process.once('SIGTERM', () => void server.close());

/**
 * WebSocket peer for `bench/websocket.ts`: an echo server on `/ws`, either basehttp (a handler whose doGET
 * calls `acceptWebSocket()`) or `ws`'s WebSocketServer on `node:http`, both with their defaults (no
 * compression). It reports its memory over IPC after a full GC, so the idle figures are what the sockets
 * hold, not garbage yet to be collected.
 * Usage: node --expose-gc websocket-server.js basehttp|ws <port>
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';

const [kind, portText] = process.argv.slice(2);
const port = Number(portText);

/** Echoes every message back as it came (text as text, binary as binary). */
class Echo extends BaseHTTPRequestHandler {
  doGET(): void {
    const socket = this.acceptWebSocket();
    socket.binaryType = 'nodebuffer';
    socket.onmessage = (event) => socket.send(event.data);
  }
}

if (kind === 'basehttp') {
  await new HTTPServer({ host: '127.0.0.1', port }, Echo, { logStream: null }).start();
} else if (kind === 'ws') {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  server.listen(port, '127.0.0.1');
} else {
  console.error('usage: websocket-server.js basehttp|ws <port>');
  process.exit(2);
}

process.on('message', () => {
  global.gc?.();
  global.gc?.();
  process.send!(process.memoryUsage());
});

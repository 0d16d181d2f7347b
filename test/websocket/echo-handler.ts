/** The handler the WebSocket tests run against: echoes every message, with options chosen by path. */
import { BaseHTTPRequestHandler, type WebSocket, type WebSocketOptions } from '../../src/index.js';

/** Options per request path, so one server covers the cases. */
const OPTIONS: Record<string, WebSocketOptions> = {
  '/': { idleTimeout: 0 },
  '/small': { maxPayload: 1000, idleTimeout: 0 },
  '/chat': { protocols: ['superchat', 'chat'], idleTimeout: 0 },
  '/idle': { idleTimeout: 200, closeTimeout: 300 },
  '/idle-answered': { idleTimeout: 3000 },
  '/idle-mocked': { idleTimeout: 1000 },
  '/slow': { highWaterMark: 64 * 1024, idleTimeout: 0 },
};

export class EchoHandler extends BaseHTTPRequestHandler {
  /** The sockets accepted, newest last, for tests that look at the server's side. */
  static sockets: WebSocket[] = [];

  doGET(): void {
    const ws = this.acceptWebSocket(OPTIONS[this.pathname] ?? OPTIONS['/']);
    EchoHandler.sockets.push(ws);
    ws.binaryType = 'nodebuffer';
    if (this.pathname === '/throw') {
      ws.onmessage = () => {
        throw new Error('listener bug');
      };
      return;
    }
    ws.onmessage = (event) => {
      if (ws.readyState === ws.OPEN) ws.send(event.data);
    };
  }

  /** Not a GET: acceptWebSocket refuses it (400). */
  doPOST(): void {
    this.doGET();
  }
}

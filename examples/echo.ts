/**
 * POST returns the request body.  Run: npm run example:echo -- [--port 8000] [--host 127.0.0.1]
 */
import { parseArgs } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer } from '../src/index.js';

class Echo extends BaseHTTPRequestHandler {
  async doPOST(): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.rfile) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.sendResponse(200);
    this.sendHeader('Content-Type', this.headers.get('Content-Type') ?? 'application/octet-stream');
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    this.wfile.write(body);
  }
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const server = new HTTPServer({ host: values.host, port: Number(values.port) }, Echo);
await server.listen();
console.log(`echo: listening on http://${values.host}:${server.serverPort}/`);
process.once('SIGINT', () => void server.shutdown());
process.once('SIGTERM', () => void server.shutdown());
await server.serveForever();

/**
 * GET returns "Hello, World!".  Run: npm run example:hello -- [--port 8000] [--host 127.0.0.1] [--quiet]
 */
import { parseArgs } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer } from '../src/index.js';

const BODY = Buffer.from('Hello, World!');

class Hello extends BaseHTTPRequestHandler {
  doGET(): void {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', BODY.length);
    this.endHeaders();
    this.wfile.write(BODY);
  }
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    quiet: { type: 'boolean', default: false },
  },
});
const server = new HTTPServer({ host: values.host, port: Number(values.port) }, Hello, {
  logStream: values.quiet ? null : process.stderr,
});
await server.listen();
console.log(`hello: listening on http://${values.host}:${server.serverPort}/`);
process.once('SIGINT', () => void server.shutdown());
process.once('SIGTERM', () => void server.shutdown());
await server.serveForever();

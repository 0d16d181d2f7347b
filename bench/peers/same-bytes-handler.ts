/**
 * The ceiling for serving a small file: a hand-written `BaseHTTPRequestHandler` that answers every GET with
 * the bytes `basehttp` sends for that file — its header fields given on the command line as JSON, its body
 * read once at start. What `SimpleHTTPRequestHandler` costs beyond this is the price of serving from a
 * directory.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, body: { type: 'string' }, fields: { type: 'string' } },
});
const BODY = readFileSync(values.body!);
const FIELDS = JSON.parse(values.fields!) as Array<[string, string]>;

class SameBytes extends BaseHTTPRequestHandler {
  doGET(): void {
    this.sendResponse(200);
    for (const [name, value] of FIELDS) this.sendHeader(name, value);
    this.endHeaders();
    this.wfile.write(BODY);
  }
}

const server = new HTTPServer({ host: '127.0.0.1', port: Number(values.port) }, SameBytes, {
  logStream: null,
});
process.once('SIGTERM', () => void server.shutdown());
await server.serveForever();

/**
 * The hello handler on `--workers N` processes, for bench/workers.ts: the same primary the `basehttp`
 * command uses forks the workers, each runs examples/hello's handler on the shared port.
 */
import cluster from 'node:cluster';
import { runPrimary } from '../../src/cluster/primary.js';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';

const BODY = Buffer.from('Hello, World!');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const workers = Number(process.argv[process.argv.indexOf('--workers') + 1]);

class Hello extends BaseHTTPRequestHandler {
  doGET(): void {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', BODY.length);
    this.endHeaders();
    this.wfile.write(BODY);
  }
}

if (cluster.isPrimary && workers > 1) {
  process.exit(await runPrimary({ count: workers, shutdownTimeout: 1000, onListening: () => {} }));
} else {
  const server = new HTTPServer({ host: '127.0.0.1', port }, Hello, { logStream: null });
  process.on('message', () => void server.shutdown(1000));
  process.once('SIGTERM', () => void server.shutdown(1000));
  await server.serveForever();
  process.exit(0);
}

/**
 * Load peer for `bench/load.ts`: basehttp's file server or a `node:http` one streaming files with
 * `createReadStream().pipe(res)`, in a child process that reports its own memory over IPC (after a full
 * GC, so the figures are what connections hold, not garbage yet to be collected). basehttp logs as it
 * does by default (errors such as the slowloris 408s; no access log), to stderr, which the bench sends
 * to a file.
 * Usage: node --expose-gc memory-server.js basehttp|node-http <dir> <port> <headersTimeoutMs>
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { HTTPServer, SimpleHTTPRequestHandler } from '../../src/index.js';

const [kind, dir, portText, headersTimeoutText] = process.argv.slice(2);
const port = Number(portText);
const headersTimeout = Number(headersTimeoutText);

if (kind === 'basehttp') {
  const Handler = SimpleHTTPRequestHandler.with({ directory: dir!, quiet: true });
  const server = new HTTPServer({ host: '127.0.0.1', port }, Handler, {
    headersTimeout,
    keepAliveTimeout: 600_000,
  });
  await server.start();
} else {
  const server = http.createServer({ connectionsCheckingInterval: headersTimeout / 4 }, (req, res) => {
    const stream = createReadStream(join(dir!, decodeURIComponent(req.url!.slice(1))));
    stream.on('error', () => {
      res.statusCode = 404;
      res.end();
    });
    stream.pipe(res);
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = headersTimeout + 1000;
  server.keepAliveTimeout = 600_000;
  server.listen(port, '127.0.0.1');
}

process.on('message', () => {
  global.gc?.();
  global.gc?.();
  process.send!(process.memoryUsage());
});

/**
 * Load peer for `bench/load.ts`: basehttp's file server or a `node:http` one streaming files with
 * `createReadStream().pipe(res)`, in a child process that reports its own memory over IPC (after a full
 * GC, so the figures are what connections hold, not garbage yet to be collected). basehttp logs as it
 * does by default (errors such as the slowloris 408s; no access log), to stderr, which the bench sends
 * to a file.
 * `bare-net` is the floor for an idle connection: a `node:net` socket that answered one request with fixed
 * bytes and keeps nothing else (no parsing, no timers).
 * Usage: node --expose-gc memory-server.js basehttp|node-http|bare-net <dir> <port> <headersTimeoutMs>
 */
import net from 'node:net';
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
} else if (kind === 'bare-net') {
  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na';
  net
    .createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', () => socket.write(response));
    })
    .listen(port, '127.0.0.1');
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

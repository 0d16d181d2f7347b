/** The peer for the hello benchmark: the same response from `node:http`, as a user would write it. */
import http from 'node:http';

const BODY = Buffer.from('Hello, World!');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);

http
  .createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': BODY.length });
    res.end(BODY);
  })
  .listen(port, '127.0.0.1');

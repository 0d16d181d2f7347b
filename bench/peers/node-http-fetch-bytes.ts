/**
 * The node:http peer of the bare fetch benchmark: the fields and body `new Response('Hello, World!')` gets
 * from basehttp's Fetch face, written by `node:http` as a user would.
 */
import http from 'node:http';

const BODY = Buffer.from('Hello, World!');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);

http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8', 'Content-Length': BODY.length });
    res.end(BODY);
  })
  .listen(port, '127.0.0.1');

/** Conformance peer: `node:http` answering 200 after reading the body. */
import http from 'node:http';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Length': 2 });
      res.end('ok');
    });
  })
  .listen(port, '127.0.0.1');

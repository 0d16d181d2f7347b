/**
 * The ceiling for the hello benchmark: a `node:net` responder that counts `\r\n\r\n` and writes a fixed
 * response, with no parsing at all. No real server can beat it; it shows how close one can get.
 */
import net from 'node:net';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);

net
  .createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => {
      for (let i = data.indexOf('\r\n\r\n'); i >= 0; i = data.indexOf('\r\n\r\n', i + 4))
        socket.write(RESPONSE);
    });
  })
  .listen(port, '127.0.0.1');

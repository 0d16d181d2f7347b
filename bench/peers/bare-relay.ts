/**
 * The ceiling for the proxy benchmark: each client connection paired with a backend connection of its own,
 * bytes copied both ways untouched (no parsing, no fields added), the backend read into one buffer per
 * connection. No proxy built on `node:net` does less per request.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, backend: { type: 'string' } } });
const backend = Number(values.backend);

net
  .createServer({ noDelay: true }, (client) => {
    const toBackend = net.connect({
      host: '127.0.0.1',
      port: backend,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (n, buffer) => {
          client.write(Buffer.from(buffer.subarray(0, n)));
          return true;
        },
      },
    });
    client.on('data', (data: Buffer) => toBackend.write(data));
    client.on('close', () => toBackend.destroy());
    toBackend.on('close', () => client.destroy());
    client.on('error', () => {});
    toBackend.on('error', () => {});
  })
  .listen(Number(values.port), '127.0.0.1');

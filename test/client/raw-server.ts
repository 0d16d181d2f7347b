/** A TCP server that answers with bytes a test writes by hand: for servers that misbehave on purpose. */
import net from 'node:net';

export interface RawServer {
  port: number;
  /** Everything each connection sent, one string per connection, in connection order. */
  received: string[];
  /** How many connections were accepted. */
  readonly connections: number;
  /** How many connections are open now. */
  readonly open: number;
  /** Stops listening and drops every connection still open. */
  close: () => Promise<void>;
}

/**
 * Calls `reply(socket, received, index)` each time bytes arrive on a connection (`received`: all of them so
 * far on that connection, `index`: the connection's number from 0). Listens on 127.0.0.1, or `host`.
 */
export async function rawServer(
  reply: (socket: net.Socket, received: string, index: number) => void,
  host = '127.0.0.1',
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const received: string[] = [];
  const server = net.createServer((socket) => {
    const index = received.push('') - 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      received[index] += d.toString('latin1');
      reply(socket, received[index]!, index);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    get connections() {
      return received.length;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

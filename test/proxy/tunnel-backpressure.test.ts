/**
 * The tunnel's backpressure, over real sockets: a side that does not read holds the other back (its writes
 * stop draining) instead of the proxy buffering what it sends.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ProxyHandler } from '../../src/index.js';
import { startServer } from '../helpers/server.js';

const PIECE = Buffer.alloc(64 * 1024, 'x');
/** More than any socket buffers hold: a writer that gets this far was never held back. */
const CAP = 256 * 1024 * 1024;

/** Writes PIECEs to `socket` as long as it drains, up to CAP; returns the count so far. */
function flood(socket: net.Socket): () => number {
  let written = 0;
  const pump = (): void => {
    while (written < CAP) {
      written += PIECE.length;
      if (!socket.write(PIECE)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return () => written;
}

/** Resolves with `count()` once it stops growing for a while (bounded: at most 20 s of polls). */
async function settled(count: () => number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = count();
    if (now === last) return now;
    last = now;
  }
  return count();
}

/** A backend switching `Upgrade: raw` to a byte pipe handed to `onSocket`. */
async function rawBackend(onSocket: (socket: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (_req, socket: net.Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: raw\r\nConnection: Upgrade\r\n\r\n');
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A raw client through the proxy: resolves with its socket once the 101 head is in (paused, unread). */
function upgradeThrough(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write('GET /pipe HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: raw\r\n\r\n'),
    );
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(head));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('a tunnel through the reverse proxy', () => {
  for (const direction of ['backend → client', 'client → backend'] as const) {
    it(`holds the sender back when the receiver does not read (${direction})`, async () => {
      let onBackend!: (socket: net.Socket) => void;
      const reached = new Promise<net.Socket>((resolve) => (onBackend = resolve));
      const backend = await rawBackend((socket) => {
        socket.pause();
        onBackend(socket);
      });
      const proxy = await startServer(
        ProxyHandler.with({ routes: [{ prefix: '/', target: `http://127.0.0.1:${backend.port}` }] }),
      );
      const client = await upgradeThrough(proxy.port);
      const backendSide = await reached;
      try {
        const [sender, receiver] =
          direction === 'backend → client' ? [backendSide, client] : [client, backendSide];
        const written = await settled(flood(sender));
        assert.ok(written < 64 * 1024 * 1024, `${written} bytes went out with nobody reading`);
        let received = 0;
        receiver.on('data', (chunk: Buffer) => (received += chunk.length));
        receiver.resume();
        sender.end();
        await new Promise((resolve) => receiver.once('end', resolve));
        assert.equal(received, written);
      } finally {
        client.destroy();
        backendSide.destroy();
        await proxy.close();
        backend.close();
      }
    });
  }
});

import assert from 'node:assert/strict';
import fs, { mkdtempSync, promises as fsp, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { FILE_CHUNK_BYTES } from '../../src/handlers/static/file-stream.js';
import { withServer } from '../helpers/server.js';

/** Counts the bytes read from files through either of Node's read paths (fs.read and FileHandle.read). */
async function countFileReads(probe: string): Promise<{ bytes: number; restore: () => void }> {
  const counter = { bytes: 0, restore: () => {} };
  const handle = await fsp.open(probe, 'r');
  const fileHandleProto = Object.getPrototypeOf(handle) as {
    read: (...args: unknown[]) => Promise<{ bytesRead: number }>;
  };
  await handle.close();
  const handleRead = fileHandleProto.read;
  fileHandleProto.read = async function (this: unknown, ...args: unknown[]) {
    const result = await handleRead.apply(this, args);
    counter.bytes += result.bytesRead;
    return result;
  };
  const fsRead = fs.read;
  (fs as { read: unknown }).read = function (...args: unknown[]) {
    const callback = args.pop() as (err: Error | null, bytesRead: number, buffer: Buffer) => void;
    return (fsRead as (...a: unknown[]) => void)(
      ...args,
      (err: Error | null, bytesRead: number, buffer: Buffer) => {
        counter.bytes += bytesRead;
        callback(err, bytesRead, buffer);
      },
    );
  };
  counter.restore = () => {
    fileHandleProto.read = handleRead;
    (fs as { read: unknown }).read = fsRead;
  };
  return counter;
}

/** File bytes read but not yet taken by the kernel: queued on the server's one socket or read ahead. */
function heldBytes(read: number, server: { connections: Iterable<{ socket: net.Socket }> }): number {
  const socket = [...server.connections][0]!.socket;
  return read - (socket.bytesWritten - socket.writableLength);
}

describe('a download to a client that stops reading', () => {
  const root = mkdtempSync(join(tmpdir(), 'basehttp-slow-download-'));
  const size = 32 * 1024 * 1024;
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(size, 0x62));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads the file only as fast as the socket drains: a client that stops reading holds one chunk at most', async () => {
    const reads = await countFileReads(join(root, 'big.bin'));
    try {
      await withServer(
        SimpleHTTPRequestHandler.with({ directory: root, quiet: true }),
        {},
        async ({ server, port }) => {
          const client = net.connect(port, '127.0.0.1');
          client.on('error', () => {});
          client.pause(); // reads nothing: the kernel's buffers fill, then the server's socket backs up
          client.write('GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n');
          // Wait (bounded) until the server stops reading the file.
          let last = -1;
          for (let steady = 0, polls = 0; steady < 10 && polls < 500; polls++) {
            await sleep(20);
            steady = reads.bytes === last ? steady + 1 : 0;
            last = reads.bytes;
          }
          const held = heldBytes(reads.bytes, server);
          assert.ok(
            reads.bytes < size,
            `the whole file was read (${reads.bytes} bytes): the test proves nothing`,
          );
          assert.ok(held <= FILE_CHUNK_BYTES, `${held} bytes of the file held for a client that reads none`);
          client.destroy();
        },
      );
    } finally {
      reads.restore();
    }
  });

  it('sends every byte, in order, to a client that reads', async () => {
    const data = Buffer.alloc(3 * 64 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    writeFileSync(join(root, 'pattern.bin'), data);
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, quiet: true }),
      {},
      async ({ port }) => {
        const response = await fetch(`http://127.0.0.1:${port}/pattern.bin`);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), data);
        const ranged = await fetch(`http://127.0.0.1:${port}/pattern.bin`, {
          headers: { Range: 'bytes=65530-200000' },
        });
        assert.equal(ranged.status, 206);
        assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), data.subarray(65530, 200001));
      },
    );
  });
});

import { promises as fsp } from 'node:fs';
import type { Writable } from 'node:stream';
import { ClientDisconnected } from '../../connection/response-errors.js';

/**
 * Bytes read from the file at a time. The next chunk is read only once the socket has taken the last one,
 * so a client slower than the disk costs the server one chunk, not the file's size or a stream's buffers.
 * Larger chunks moved a 64 MiB file faster to a fast client, but any chunk that grows while the kernel
 * takes writes at once is then held by every slow client too: Linux fills a send buffer of up to 4 MiB
 * before a slow socket backs up, and reports room again only once a third of it is free.
 */
export const FILE_CHUNK_BYTES = 64 * 1024;

/**
 * Sends bytes `start`–`end` (inclusive) of a file to `out`, reading only as fast as the client takes them:
 * a chunk is read, written, and the next one read once the socket has room again (into the same buffer
 * when the socket had to drain). A file that ends early stops the body short (the connection layer then
 * closes, as the length was promised); a client that goes away rejects with the stream's error and closes
 * the file.
 */
export async function sendFileRange(path: string, start: number, end: number, out: Writable): Promise<void> {
  const file = await fsp.open(path, 'r');
  const size = Math.min(FILE_CHUNK_BYTES, end - start + 1);
  let buffer: Buffer | null = null;
  try {
    for (let position = start; position <= end;) {
      buffer ??= Buffer.allocUnsafeSlow(size);
      const chunk = await readChunk(file, buffer, position, end);
      if (chunk.length === 0) return;
      position += chunk.length;
      if (out.destroyed) throw gone(out);
      if (out.write(chunk)) {
        buffer = null; // may still be on its way out: the next read needs a new buffer
      } else {
        await drained(out); // everything written so far has left: the buffer can be read into again
      }
    }
  } finally {
    await file.close();
  }
}

/** The next chunk at `position` read into `buffer`, never past `end`; empty at the end of the file. */
async function readChunk(
  file: fsp.FileHandle,
  buffer: Buffer,
  position: number,
  end: number,
): Promise<Buffer> {
  const length = Math.min(buffer.length, end - position + 1);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Resolves on 'drain'; rejects when the stream is destroyed first (the client went away). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      out.off('drain', onDrain);
      reject(gone(out));
    };
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}

/** Why a destroyed response stream cannot take more: its error, or the client leaving. */
function gone(out: Writable): Error {
  return out.errored ?? new ClientDisconnected();
}

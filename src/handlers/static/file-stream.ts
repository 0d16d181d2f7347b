import { promises as fsp } from 'node:fs';
import type { Writable } from 'node:stream';
import { ClientDisconnected } from '../../connection/response-errors.js';

/**
 * Bytes read from the file at a time to begin with and for a client slower than the disk. The next chunk
 * is read only once the socket has taken the last, so a slow client costs the server one chunk, not the
 * file's size or a stream's buffers.
 */
export const FILE_CHUNK_BYTES = 64 * 1024;
/** Largest chunk, reached by doubling for a client that keeps up: fewer reads and writes per byte. */
const FILE_CHUNK_MAX_BYTES = 1024 * 1024;
/**
 * Chunks grow only once this much went out, and only while the client has taken it at least as fast as
 * `FAST_BYTES_PER_MS` on average. Linux fills a socket's send buffer (up to 4 MiB) and the client's receive
 * window before a slow socket backs up, and reports room again only once a third of it is free, so neither
 * the first megabytes nor a single write or drain tell a slow client from a fast one; the average rate does.
 */
const FILE_GROW_AFTER_BYTES = 8 * 1024 * 1024;
/** 64 MB/s: far above any client worth a megabyte of buffer, far below what loopback or a LAN carries. */
const FAST_BYTES_PER_MS = 64 * 1024;

/**
 * Sends bytes `start`–`end` (inclusive) of a file to `out`, reading only as fast as the client takes them:
 * a chunk is read, written, and the next one read once the socket has room again. The buffer is read into
 * again whenever the bytes written from it have all left: at once when the kernel took them in the write
 * (`socket`, the connection under `out`, then holds nothing either), else after a drain. A new buffer per
 * chunk would leave the garbage collector tens of megabytes of spent buffers to find. A file that ends early
 * stops the body short (the connection layer then closes, as the length was promised); a client that goes
 * away rejects with the stream's error and closes the file.
 */
export async function sendFileRange(
  path: string,
  start: number,
  end: number,
  out: Writable,
  socket: { readonly writableLength: number },
): Promise<void> {
  const file = await fsp.open(path, 'r');
  const began = performance.now();
  let size = FILE_CHUNK_BYTES;
  let buffer: Buffer | null = null;
  try {
    for (let position = start; position <= end;) {
      const wanted = Math.min(size, end - position + 1);
      if (buffer === null || buffer.length < wanted) buffer = Buffer.allocUnsafeSlow(wanted);
      const chunk = await readChunk(file, buffer, position, end);
      if (chunk.length === 0) return;
      position += chunk.length;
      if (out.destroyed) throw gone(out);
      if (!out.write(chunk)) await drained(out);
      // Bytes still queued may be this buffer's: the next read needs a new one.
      else if (out.writableLength !== 0 || socket.writableLength !== 0) buffer = null;
      size = chunkSize(size, position - start, performance.now() - began);
      if (buffer !== null && buffer.length > size) buffer = null;
    }
  } finally {
    await file.close();
  }
}

/** The next chunk's size: doubled for a client that has kept up since the start, else the smallest. */
function chunkSize(size: number, sent: number, elapsedMs: number): number {
  if (sent < FILE_GROW_AFTER_BYTES || sent < elapsedMs * FAST_BYTES_PER_MS) return FILE_CHUNK_BYTES;
  return Math.min(size * 2, FILE_CHUNK_MAX_BYTES);
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

import { promises as fsp } from 'node:fs';
import type { Writable } from 'node:stream';
import { ClientDisconnected } from '../../connection/response-errors.js';

/** Bytes read from the file at a time. */
export const FILE_CHUNK_BYTES = 64 * 1024;
/**
 * Most file bytes one response holds in memory: the chunk the socket is sending and the one read ahead. A
 * slow client therefore costs the server this much, not the file's size or a stream's buffers.
 */
export const FILE_READ_AHEAD_BYTES = 2 * FILE_CHUNK_BYTES;

/**
 * Sends bytes `start`–`end` (inclusive) of a file to `out`, reading only as fast as the client takes them:
 * one chunk is read ahead while the previous one is sent, and no more until the socket drains. A file that
 * ends early stops the body short (the connection layer then closes, as the length was promised); a client
 * that goes away rejects with the stream's error and closes the file.
 */
export async function sendFileRange(path: string, start: number, end: number, out: Writable): Promise<void> {
  const file = await fsp.open(path, 'r');
  const buffers = new ChunkBuffers(Math.min(FILE_CHUNK_BYTES, end - start + 1));
  let next: Promise<Buffer> | null = readChunk(file, buffers.take(0), start, end);
  try {
    let position = start;
    for (let turn = 0; next !== null; turn ^= 1) {
      const chunk: Buffer = await next;
      next = null;
      if (chunk.length === 0) return;
      position += chunk.length;
      if (position <= end) next = readChunk(file, buffers.take(turn ^ 1), position, end);
      if (out.destroyed) throw gone(out);
      if (out.write(chunk)) {
        buffers.lend(turn); // still on its way out: the next read into this slot needs a new buffer
      } else {
        await drained(out); // everything written so far has left: the buffer can be read into again
      }
    }
  } finally {
    // A read still under way when the client left must finish before its file is closed.
    await next?.catch(() => {});
    await file.close();
  }
}

/**
 * The two buffers a download reads into in turn, reused while the socket gives them back (a drain after
 * each write, the usual case for a chunk this size), so a long download does not churn the allocator.
 */
class ChunkBuffers {
  private readonly slots: Array<Buffer | null> = [null, null];

  /** `size`: a chunk, or less for a range smaller than one. */
  constructor(private readonly size: number) {}

  /** A buffer to read the next chunk into, in slot 0 or 1. */
  take(slot: number): Buffer {
    return (this.slots[slot] ??= Buffer.allocUnsafeSlow(this.size));
  }

  /** The buffer in `slot` is still held by the socket: forget it. */
  lend(slot: number): void {
    this.slots[slot] = null;
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

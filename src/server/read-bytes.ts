import type { Readable } from 'node:stream';
import { ReadSizeError } from './errors.js';

/**
 * Python's `rfile.read(n)` on a Node Readable: waits for exactly `size` bytes, fewer only where the stream
 * ends. Node's own `read(n)` never waits, and returns null unless n bytes are already buffered.
 */
export async function readBytes(stream: Readable, size: number): Promise<Buffer> {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new ReadSizeError(`readBytes() takes a number of bytes, not ${String(size)}`);
  const parts: Buffer[] = [];
  let got = 0;
  while (got < size) {
    const buffered = stream.readableLength;
    if (buffered > 0) {
      const part = stream.read(Math.min(size - got, buffered)) as Buffer;
      parts.push(part);
      got += part.length;
    } else if (!(await moreBytes(stream))) {
      break;
    }
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
}

/** Waits until `stream` has bytes buffered (true) or has ended (false); rejects with its error. */
function moreBytes(stream: Readable): Promise<boolean> {
  if (stream.errored !== null) return Promise.reject(stream.errored);
  if (stream.readableEnded || stream.destroyed) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    const settle = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    };
    // 'readable' comes when bytes arrive, or once at the end with none buffered.
    const onReadable = (): void => {
      settle();
      resolve(stream.readableLength > 0);
    };
    const onEnd = (): void => {
      settle();
      if (stream.errored === null) resolve(false);
      else reject(stream.errored);
    };
    const onError = (err: Error): void => {
      settle();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
  });
}

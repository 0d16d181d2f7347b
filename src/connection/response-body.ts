import { Writable } from 'node:stream';
import type { Exchange } from './exchange.js';

type WriteCallback = (error?: Error | null) => void;

/**
 * The response body as a Writable (the handler's `wfile`). A write completes when the socket accepted it
 * without backing up, or after the socket drained: the stream's own buffer then fills and `write()` returns
 * false, which is how `pipeline()` and `await once(wfile, 'drain')` see a client that reads slowly.
 *
 * `write()` has a fast path: while nothing is queued inside the stream, a chunk goes straight to the
 * exchange, skipping the stream's queue and its callbacks; that is most of the cost of a small response.
 */
export class ResponseBody extends Writable {
  private waiting: WriteCallback | null = null;
  /** A fast-path write found the socket backed up; 'drain' is owed once it empties. */
  private owesDrain = false;

  constructor(private readonly exchange: Exchange) {
    super({ highWaterMark: 64 * 1024, decodeStrings: true });
    // A handler writing after its response ended must not take the server down with an unhandled 'error';
    // the write callback and pipeline() still see the error.
    this.on('error', ignore);
  }

  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    if (
      this.owesDrain ||
      this.writableLength !== 0 ||
      this.writableCorked !== 0 ||
      this.writableEnded ||
      this.destroyed
    ) {
      return super.write(chunk, encoding as BufferEncoding, callback);
    }
    const cb = typeof encoding === 'function' ? encoding : callback;
    let ok: boolean;
    try {
      ok = this.exchange.write(toBuffer(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
    } catch (err) {
      // Body before head is the handler's mistake: it throws to the handler (a 500 and a log line), where
      // erroring this stream would leave it unseen and the response a 200 with no body.
      if (!this.exchange.headCommitted) throw err;
      this.destroy(err as Error);
      if (cb !== undefined) process.nextTick(cb, err);
      return false;
    }
    if (cb !== undefined) process.nextTick(cb);
    if (!ok) this.owesDrain = true;
    return ok;
  }

  // end(chunk) writes without calling write(): a last chunk before the head must throw to the handler too.
  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function' && !this.exchange.headCommitted)
      this.exchange.checkWritable();
    return super.end(chunk as never, encoding as never, callback as never);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    let ok: boolean;
    try {
      ok = this.exchange.write(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (ok) callback();
    else this.waiting = callback;
  }

  override _final(callback: WriteCallback): void {
    callback();
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    // A write still waiting for drain is dropped: destroy errors the stream, and that is what callers see.
    this.waiting = null;
    callback(error);
  }

  /** Whether writes are still held back waiting for the socket. */
  get pending(): boolean {
    return this.waiting !== null || this.writableLength !== 0;
  }

  /** Called by the exchange when the socket drained. */
  drained(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
    if (this.owesDrain) {
      this.owesDrain = false;
      this.emit('drain');
    }
  }
}

function toBuffer(chunk: unknown, encoding: BufferEncoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('wfile.write() takes a string, Buffer or Uint8Array');
}

function ignore(): void {}

import { Writable } from 'node:stream';
import type { Exchange } from './exchange.js';

/**
 * The response body as a Writable (the handler's `wfile`). A write completes when the socket accepted it
 * without backing up, or after the socket drained: the stream's own buffer then fills and `write()` returns
 * false, which is how `pipeline()` and `await once(wfile, 'drain')` see a client that reads slowly.
 */
export class ResponseBody extends Writable {
  private waiting: (() => void) | null = null;

  constructor(private readonly exchange: Exchange) {
    super({ highWaterMark: 64 * 1024, decodeStrings: true });
    // A handler writing after its response ended must not take the server down with an unhandled 'error';
    // the write callback and pipeline() still see the error.
    this.on('error', ignore);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
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

  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A write still waiting for drain is dropped: destroy errors the stream, and that is what callers see.
    this.waiting = null;
    callback(error);
  }

  /** Called by the exchange when the socket drained. */
  drained(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }
}

function ignore(): void {}

import { Readable } from 'node:stream';
import type { Exchange } from './exchange.js';

/**
 * The request body as a Readable (the handler's `rfile`): de-chunked, ending exactly where the body ends.
 * Bytes are pulled off the connection only when the stream asks for more, so a slow reader slows the client
 * down instead of filling memory.
 */
export class RequestBody extends Readable {
  constructor(private readonly exchange: Exchange) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.exchange.pullBody();
  }
}

import { Readable } from 'node:stream';
import type { Exchange } from './exchange.js';

/**
 * The request body as a Readable (the handler's `rfile`): de-chunked, ending exactly where the body ends.
 * Bytes are pulled off the connection only when the stream asks for more, so a slow reader slows the client
 * down instead of filling memory.
 */
export class RequestBodyStream extends Readable {
  constructor(private readonly exchange: Exchange) {
    super({ highWaterMark: 64 * 1024 });
    // The body fails when the client leaves, chunks badly or stalls. A handler reading with 'data' events
    // and no 'error' listener must not take the server down with an unhandled 'error'; `for await`,
    // pipeline() and 'error' listeners still see the error.
    this.on('error', ignore);
  }

  override _read(): void {
    this.exchange.pullBody();
  }
}

function ignore(): void {}

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

  /**
   * Node's `read(size)`, typed for what it gives: what is buffered now, or null; it never waits. Python's
   * `rfile.read(n)` is the handler's `await this.readBytes(n)`.
   */
  override read(size?: number): Buffer | null {
    return super.read(size) as Buffer | null;
  }

  /** Node's pull: resumes reading the socket when the consumer wants more. */
  override _read(): void {
    this.exchange.pullBody();
  }
}

function ignore(): void {}

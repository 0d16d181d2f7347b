import { Transform } from 'node:stream';
import { tooLarge } from '../../../server/request-bodies.js';

/**
 * What one request may still write (`upload.maxBytes`), shared by every file of a form. Passing it throws
 * the 413 every body limit of the server throws.
 */
export class ByteBudget {
  private left: number;

  constructor(private readonly maxBytes: number | null) {
    this.left = maxBytes ?? Infinity;
  }

  /** Whether there is a limit to count against (without one, uploads need no counting stream). */
  get limited(): boolean {
    return this.maxBytes !== null;
  }

  /** Counts `size` more bytes; throws the 413 HTTPStatusError when they pass the limit. */
  take(size: number): void {
    this.left -= size;
    if (this.left < 0) throw tooLarge(this.maxBytes!);
  }

  /** A pass-through stream that counts what flows through it, failing with the 413 at the limit. */
  counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        try {
          this.take(chunk.length);
        } catch (err) {
          done(err as Error);
          return;
        }
        done(null, chunk);
      },
    });
  }
}

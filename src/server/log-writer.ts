/** Most log text held while the log stream is backed up; past it, lines are counted and dropped. */
const MAX_PENDING = 4 * 1024 * 1024;

/**
 * Collects log lines and writes them in one call per event-loop turn. A synchronous write per request to
 * a terminal or pipe would cost more than serving the request; batching keeps the log and the speed.
 * A log reader that stalls (a full pipe) must not grow the server's memory: lines beyond a bound are dropped
 * and the count is logged once the stream drains.
 */
export class LogWriter {
  private pending = '';
  private scheduled = false;
  private blocked = false;
  private dropped = 0;
  /** The stream failed (EPIPE: whoever read the log went away); logging stops, serving goes on. */
  private failed = false;

  /** The stream is a terminal, so a status in its lines may be coloured; a pipe or file gets plain text. */
  readonly colour: boolean;

  constructor(private readonly stream: NodeJS.WritableStream) {
    this.colour = (stream as { isTTY?: boolean }).isTTY === true;
    // Without a listener, a write error is an unhandled 'error' event: `server 2>&1 | head` would end the
    // server when `head` exits.
    if (typeof stream.on === 'function') stream.on('error', this.fail);
  }

  /** Writes what is pending and lets go of the stream (the server stopped). */
  close(): void {
    this.flush();
    if (typeof this.stream.off === 'function') this.stream.off('error', this.fail);
  }

  private readonly fail = (): void => {
    this.failed = true;
    this.pending = '';
  };

  write(line: string): void {
    if (this.failed) return;
    if (this.pending.length > MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending += line;
    if (!this.scheduled && !this.blocked) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes what is pending now (before exit, or when a test wants to read the log). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.blocked || this.failed) return;
    if (this.dropped > 0) {
      this.pending += `[${this.dropped} log lines dropped: the log stream was not keeping up]\n`;
      this.dropped = 0;
    }
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (this.stream.write(text) === false) {
      this.blocked = true;
      this.stream.once('drain', () => {
        this.blocked = false;
        this.flush();
      });
    }
  };
}

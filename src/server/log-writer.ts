/**
 * Collects log lines and writes them in one call per event-loop turn. A synchronous write per request to
 * a terminal or pipe would cost more than serving the request; batching keeps the log and the speed.
 */
export class LogWriter {
  private pending = '';
  private scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(line: string): void {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes what is pending now (before exit, or when a test wants to read the log). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.stream.write(text);
  };
}

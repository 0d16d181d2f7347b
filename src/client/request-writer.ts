import type net from 'node:net';

/** Writers with requests held by `hold`, written together once this turn of the event loop ends. */
let held: RequestWriter[] = [];

function flushHeld(): void {
  const writers = held;
  held = [];
  for (const writer of writers) writer.flush();
}

/**
 * What goes out on one client socket, in the order it was sent. Whole requests (head and bytes of body) are
 * held until the I/O callbacks of this turn of the event loop are done and then written, those of every
 * socket together: the requests that answers in one turn set off reach the server together, which then
 * handles them in one wakeup instead of one each. The wait is never longer than this turn.
 */
export class RequestWriter {
  /** Pieces held for the end of this turn, or null when nothing is. */
  private out: Array<string | Uint8Array> | null = null;

  constructor(private readonly sock: net.Socket) {}

  /** Keeps a whole request for the end of this turn of the event loop (a string body is sent as UTF-8). */
  hold(head: string, body: string | Uint8Array | null): void {
    let out = this.out;
    if (out === null) {
      out = this.out = [];
      if (held.push(this) === 1) setImmediate(flushHeld);
    }
    out.push(head);
    if (body !== null) out.push(typeof body === 'string' ? Buffer.from(body) : body);
  }

  /** Writes what `hold` kept: one write, or one writev for several pieces (heads are Latin-1 text). */
  flush(): void {
    const out = this.out;
    if (out === null) return;
    this.out = null;
    const sock = this.sock;
    // Closed meanwhile: the requests fail (or are retried) through the response side.
    if (!sock.writable) return;
    if (out.length === 1) {
      sock.write(out[0]!, 'latin1');
      return;
    }
    sock.cork();
    for (const piece of out) {
      if (typeof piece === 'string') sock.write(piece, 'latin1');
      else sock.write(piece);
    }
    sock.uncork();
  }

  /** Writes now, after anything held (a string as Latin-1); false when the socket wants a 'drain' first. */
  writeNow(data: string | Uint8Array): boolean {
    this.flush();
    return typeof data === 'string' ? this.sock.write(data, 'latin1') : this.sock.write(data);
  }
}

import type net from 'node:net';
import type { Headers } from '../protocol/headers.js';
import { ParseError } from '../protocol/errors.js';
import { BODY_END } from '../protocol/message-reader.js';
import { ResponseReader, type ResponseHead } from '../protocol/response-reader.js';
import { BadStatusLine, HTTPException, LineTooLong, RemoteDisconnected, TimeoutError } from './errors.js';
import type { OutgoingRequest } from './outgoing-request.js';

/** More interim (1xx) responses than this before the final one is a misbehaving server (CVE-2021-3737 class). */
const MAX_INTERIM = 100;

/** Unread bytes past which the socket stops reading until the body's reader catches up. */
const HIGH_WATER = 256 * 1024;

/** Size of the buffer each socket reads into (what Node reads at once by default). */
const READ_SIZE = 64 * 1024;

/**
 * Unread bytes up to this size are copied out of the read buffer so it can take the next read; more than
 * this (a large body arriving) and the reader keeps the buffer and the socket gets a new one instead.
 */
const COPY_LIMIT = 4096;

/** One request waiting for its response on a ClientSocket. */
export interface Exchange {
  /** The request's method: the response to a HEAD has no body. */
  readonly method: string;
  /** The final response head (1xx are skipped). Its body, if any, is read with `readBody`. */
  onHead(head: ResponseHead): void;
  /**
   * No head will come. A RemoteDisconnected means no byte of the response came back (the server closed or
   * reset the connection first), so an idempotent request may be sent again.
   */
  onError(err: Error): void;
  /** The exchange left the socket: its response was read to the end, or failed. */
  onEnd?(): void;
  /** Whether another request may be pipelined behind this one (idempotent, nothing streamed). */
  readonly pipelinable?: boolean;
  /** Set while the body waits on `Expect: 100-continue`: true on `100 Continue`, false when not to send it. */
  onContinue?: ((proceed: boolean) => void) | undefined;
}

/**
 * One socket in the client role: request heads and bodies out, responses in, in order (several requests
 * may be in flight: pipelining). Event-driven: a head is parsed as soon as its last byte arrives and handed to
 * its exchange; bodies are pulled with `readBody`, so bytes nobody asked for stay in the reader, and past
 * HIGH_WATER the socket stops reading. HTTPConnection and the Pool both sit on this.
 */
export class ClientSocket {
  private readonly reader = new ResponseReader();
  /** Requests sent whose responses are not read to the end, oldest first; queue[0] is being read. */
  private readonly queue: Exchange[] = [];
  private readingBody = false;
  /** Whether the response being read lets the connection carry another one. */
  private keepAlive = true;
  /** A final answer came before the body was sent (Expect: 100-continue): the framing is in doubt. */
  private bodyWithheld = false;
  private interim = 0;
  private failure: Error | null = null;
  /** What reading the current body throws once the connection failed. */
  private bodyFailure: Error | null = null;
  private ended = false;
  private closed = false;
  private connected = false;
  private paused = false;
  /** The socket's timer fired while no one waited on the server (it runs again on the next activity). */
  private timerSpent = false;
  private refd = true;
  /** Requests waiting for the end of this turn of the event loop (see `hold`). */
  private out: Array<string | Uint8Array> | null = null;
  private bodyWaiter: (() => void) | null = null;
  private connectWaiter: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Requests written so far: a request on a socket that already carried one is on a reused connection. */
  requests = 0;
  /** Trailer fields of the last chunked body read, if it had any. */
  trailers: Headers | null = null;
  /** Set by the owner: called when no request is outstanding and the connection can carry another. */
  onIdle: ((socket: ClientSocket) => void) | null = null;
  /** Set by the owner: called once the socket has closed. */
  onClose: ((socket: ClientSocket) => void) | null = null;
  /** When the owner last saw it idle (ms since the epoch); the Pool's idle eviction reads it. */
  idleSince = 0;

  readonly sock: net.Socket;
  private readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);

  /** `open` makes the socket, reading through the `onread` it is given. */
  constructor(
    open: (onread: net.OnReadOpts) => net.Socket,
    /** `host:port`, for messages. */
    private readonly label: string,
    private readonly timeout: number,
    private readonly continueTimeout: number,
  ) {
    const sock = open({
      buffer: () => this.readBuffer,
      callback: (length, buffer) => this.received(length, buffer as Buffer),
    });
    this.sock = sock;
    sock.setTimeout(timeout);
    sock.once('encrypted' in sock ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      const waiter = this.connectWaiter;
      this.connectWaiter = null;
      waiter?.resolve();
    });
    sock.on('end', () => {
      this.ended = true;
      this.reader.endInput();
      this.input();
    });
    sock.on('timeout', () => this.timedOut());
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => {
      this.closed = true;
      // After a clean end, heads already received are still handed out; readHeads fails the rest.
      if (!this.ended && this.failure === null) {
        this.fail(new RemoteDisconnected(`${this.label} closed the connection`));
      }
      this.onClose?.(this);
    });
  }

  /** Whether another request may be written: open, not closed by the server, nothing failed. */
  get usable(): boolean {
    return this.failure === null && !this.ended && !this.closed;
  }

  /** Requests written whose responses are not read to the end yet. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Whether a request may be pipelined behind those in flight: all of them allow it. */
  get pipelinable(): boolean {
    for (const exchange of this.queue) if (exchange.pipelinable !== true) return false;
    return true;
  }

  /** Whether the socket keeps the process alive (an idle pooled one does not); toggled only on change. */
  set holdsProcess(hold: boolean) {
    if (hold === this.refd) return;
    this.refd = hold;
    if (hold) this.sock.ref();
    else this.sock.unref();
  }

  /** Resolves once connected (and the TLS handshake done); rejects with why not. */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
    });
  }

  /**
   * Writes a request and queues `exchange` for its response. A body of bytes goes out with the head in one
   * write; a stream (or a body held back by `Expect: 100-continue`) follows, and the promise returned resolves
   * once it is sent; null when everything went out at once.
   */
  send(exchange: Exchange, request: OutgoingRequest): Promise<void> | null {
    this.queue.push(exchange);
    this.requests++;
    if (!this.usable) {
      this.fail(this.failure ?? new RemoteDisconnected(`the connection to ${this.label} is closed`));
      return null;
    }
    const { head, body, stream } = request;
    if (request.expectContinue && (body !== null || stream !== null)) {
      this.writeNow(head);
      return this.sendAfterContinue(exchange, request);
    }
    if (stream !== null) {
      this.writeNow(head);
      return this.sendStream(exchange, stream, request.chunked);
    }
    this.hold(head, body);
    return null;
  }

  /** Sockets with requests held by `hold`, written together once this turn of the event loop ends. */
  private static held: ClientSocket[] = [];

  private static flushHeld(): void {
    const sockets = ClientSocket.held;
    ClientSocket.held = [];
    for (const socket of sockets) socket.flush();
  }

  /**
   * Keeps a whole request (head and bytes of body) until the I/O callbacks of this turn of the event loop are
   * done, then writes it: the requests that answers in one turn set off reach the server together, which
   * then handles them in one wakeup instead of one each. The wait is never longer than this turn.
   */
  private hold(head: string, body: string | Uint8Array | null): void {
    let out = this.out;
    if (out === null) {
      out = this.out = [];
      if (ClientSocket.held.push(this) === 1) setImmediate(ClientSocket.flushHeld);
    }
    out.push(head);
    if (body !== null) out.push(typeof body === 'string' ? Buffer.from(body) : body);
  }

  /** Writes what `hold` kept: one write, or one writev for several pieces (heads are Latin-1 text). */
  private flush(): void {
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

  /** Writes now, after anything held: bytes go out in the order they were sent. */
  private writeNow(data: string | Uint8Array): boolean {
    this.flush();
    return typeof data === 'string' ? this.sock.write(data, 'latin1') : this.sock.write(data);
  }

  /** Writes the head only (Python's `endheaders`); the caller sends any body with `write`. */
  sendHead(exchange: Exchange, head: string): void {
    this.send(exchange, {
      method: exchange.method,
      head,
      body: null,
      stream: null,
      chunked: false,
      expectContinue: false,
    });
  }

  /** Writes bytes as they are (a string as UTF-8); resolves when the socket can take more. */
  async write(data: string | Uint8Array): Promise<void> {
    if (!this.writeNow(typeof data === 'string' ? Buffer.from(data) : data)) await this.drained();
  }

  /** Waits for `100 Continue` (or `continueTimeout` without an answer, RFC 9110 §10.1.1) before the body. */
  private async sendAfterContinue(exchange: Exchange, request: OutgoingRequest): Promise<void> {
    const proceed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        exchange.onContinue = undefined;
        resolve(true);
      }, this.continueTimeout);
      exchange.onContinue = (go) => {
        clearTimeout(timer);
        resolve(go);
      };
    });
    if (!proceed || !this.usable) return;
    if (request.body !== null) await this.write(request.body);
    else await this.sendStream(exchange, request.stream!, request.chunked);
  }

  /** Sends a streamed body, chunked when its length is unknown; stops quietly if the connection fails. */
  private async sendStream(
    exchange: Exchange,
    stream: NonNullable<OutgoingRequest['stream']>,
    chunked: boolean,
  ): Promise<void> {
    const sock = this.sock;
    try {
      for await (const piece of stream) {
        // Whatever went wrong is the response's to report (an early 413, a reset): stop sending.
        if (!this.usable) return;
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (bytes.length === 0) continue;
        let more: boolean;
        if (chunked) {
          sock.cork();
          sock.write(`${bytes.length.toString(16)}\r\n`, 'latin1');
          sock.write(bytes);
          more = sock.write('\r\n', 'latin1');
          sock.uncork();
        } else {
          more = sock.write(bytes);
        }
        if (!more) await this.drained();
      }
    } catch (err) {
      // A body that fails half-way leaves the request unframed: the connection cannot be used any more.
      this.fail(err as Error, exchange);
      throw err;
    }
    if (chunked && this.usable) sock.write('0\r\n\r\n', 'latin1');
  }

  /** Resolves on 'drain', or when the socket closes (no drain will come then). */
  private drained(): Promise<void> {
    const sock = this.sock;
    return new Promise((resolve) => {
      const done = (): void => {
        sock.off('drain', done);
        sock.off('close', done);
        resolve();
      };
      sock.on('drain', done);
      sock.on('close', done);
    });
  }

  /**
   * Bytes read into `buffer`. They are parsed at once; whatever the reader still holds afterwards is copied
   * out (or, when large, the buffer is left to it) before the next read reuses the buffer.
   */
  private received(length: number, buffer: Buffer): boolean {
    this.reader.push(buffer.subarray(0, length));
    this.input();
    const kept = this.reader.buffered;
    if (kept > COPY_LIMIT) this.readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
    else if (kept > 0) this.reader.ownBuffered();
    return true;
  }

  private input(): void {
    if (this.readingBody) {
      const wake = this.bodyWaiter;
      this.bodyWaiter = null;
      wake?.();
    } else if (this.queue.length > 0) {
      this.readHeads();
    }
    if (!this.paused && this.reader.buffered > HIGH_WATER && !this.ended) {
      this.paused = true;
      this.sock.pause();
    }
  }

  /** Hands out every head that has arrived, in order, up to the first response with a body. */
  private readHeads(): void {
    const queue = this.queue;
    while (queue.length > 0 && !this.readingBody && this.failure === null) {
      const exchange = queue[0]!;
      this.reader.expect(exchange.method);
      let head: ResponseHead | null;
      try {
        head = this.reader.readHead();
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        const tooLarge =
          err.kind === 'start-line-too-long' ||
          err.kind === 'fields-too-large' ||
          err.kind === 'too-many-fields';
        this.fail(tooLarge ? new LineTooLong(err.message) : new BadStatusLine(err.message));
        return;
      }
      if (head === null) {
        if (this.ended) {
          this.fail(
            this.reader.buffered > 0 || this.interim > 0
              ? new BadStatusLine(`${this.label} closed the connection in the middle of a response head`)
              : new RemoteDisconnected('Remote end closed connection without response'),
          );
        }
        break;
      }
      const status = head.status;
      if (status < 200 && status !== 101) {
        if (status === 100 && exchange.onContinue !== undefined) {
          const onContinue = exchange.onContinue;
          exchange.onContinue = undefined;
          onContinue(true);
        } else if (++this.interim > MAX_INTERIM) {
          this.fail(new BadStatusLine(`more than ${MAX_INTERIM} interim responses`));
          return;
        }
        continue;
      }
      this.interim = 0;
      this.keepAlive = head.keepAlive && status !== 101;
      if (exchange.onContinue !== undefined) {
        // The final answer came first: the body is not sent, so the server's idea of framing is unknown.
        const onContinue = exchange.onContinue;
        exchange.onContinue = undefined;
        this.bodyWithheld = true;
        onContinue(false);
      }
      if (head.framing.kind === 'none') {
        exchange.onHead(head);
        this.finishExchange();
      } else {
        this.readingBody = true;
        exchange.onHead(head);
      }
    }
    this.resumeIfDrained();
  }

  /**
   * The next piece of the body being read: bytes (a view that stays valid), null until more arrives (see
   * `waitForBody`), or BODY_END. Throws why the body cannot be completed.
   */
  readBody(): Buffer | null | typeof BODY_END {
    let piece: Buffer | null | typeof BODY_END;
    try {
      piece = this.reader.readBody();
    } catch (err) {
      if (this.bodyFailure === null) this.fail(err as Error);
      throw this.bodyFailure ?? err;
    }
    if (piece === null) {
      if (this.bodyFailure !== null) throw this.bodyFailure;
      this.resumeIfDrained();
    } else if (piece === BODY_END) {
      this.readingBody = false;
      this.trailers = this.reader.trailers;
      this.finishExchange();
    } else if (this.paused) {
      this.resumeIfDrained();
    }
    return piece;
  }

  /** Calls `wake` once more body bytes, the end of input, or a failure arrive. */
  waitForBody(wake: () => void): void {
    this.bodyWaiter = wake;
    // The timer fired while nobody waited and stopped; a wait on the server from now on is timed afresh.
    if (this.timerSpent) {
      this.timerSpent = false;
      this.sock.setTimeout(this.timeout);
    }
  }

  private resumeIfDrained(): void {
    if (this.paused && this.reader.buffered < HIGH_WATER / 2) {
      this.paused = false;
      this.sock.resume();
    }
  }

  /** The front exchange's response is complete: the next one is read, or the socket is idle (or closed). */
  private finishExchange(): void {
    const exchange = this.queue.shift()!;
    exchange.onEnd?.();
    if (!this.keepAlive || this.bodyWithheld) {
      this.close();
    } else if (this.queue.length > 0) {
      this.readHeads();
    } else {
      this.onIdle?.(this);
    }
  }

  private timedOut(): void {
    if (!this.connected) {
      this.fail(new TimeoutError(`connecting to ${this.label} timed out after ${this.timeout} ms`));
    } else if (this.queue.length > 0 && (!this.readingBody || this.bodyWaiter !== null)) {
      this.fail(new TimeoutError(`no answer from ${this.label} within ${this.timeout} ms`));
    } else {
      // Only a wait on the server counts: a body the caller is slow to read is not the server's fault.
      this.timerSpent = true;
    }
  }

  /**
   * Gives up on the connection. The exchange the failure is about (`culprit`: the one being read, unless an
   * abort names another) gets `err`, or a RemoteDisconnected when it is a reset before any byte of its
   * response; the others in the pipeline get a RemoteDisconnected (never answered, so they may be retried).
   * A body being read gets its error from `readBody`.
   */
  fail(err: Error, culprit: Exchange | undefined = this.queue[0]): void {
    const first = this.failure === null;
    if (first) this.failure = err;
    this.sock.destroy();
    const connectWaiter = this.connectWaiter;
    this.connectWaiter = null;
    connectWaiter?.reject(err);
    const others =
      err instanceof RemoteDisconnected
        ? err
        : new RemoteDisconnected(`${this.label} closed the connection before answering (${err.message})`, {
            cause: err,
          });
    const reading = this.readingBody ? 1 : 0;
    if (first && reading === 1) this.bodyFailure = this.queue[0] === culprit ? err : others;
    if (this.queue.length > reading) {
      const answered = this.reader.buffered > 0 || this.interim > 0;
      const failed = this.queue.splice(reading);
      for (let i = 0; i < failed.length; i++) {
        const exchange = failed[i]!;
        exchange.onContinue?.(false);
        exchange.onError(
          exchange !== culprit
            ? others
            : i === 0 && reading === 0 && !answered && isReset(err)
              ? others
              : err,
        );
        exchange.onEnd?.();
      }
    }
    const wake = this.bodyWaiter;
    this.bodyWaiter = null;
    wake?.();
  }

  /** Closes the socket; whatever is still outstanding fails with `reason` (an abort's, for `culprit`). */
  close(reason: Error = new HTTPException('The connection was closed'), culprit?: Exchange): void {
    if (this.failure !== null && this.queue.length === 0) return;
    this.fail(reason, culprit ?? this.queue[0]);
  }
}

function isReset(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

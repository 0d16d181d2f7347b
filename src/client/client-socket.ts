import type net from 'node:net';
import type { Headers } from '../protocol/headers.js';
import { ParseError } from '../protocol/errors.js';
import { BODY_END } from '../protocol/message-reader.js';
import { ResponseReader, type ResponseHead } from '../protocol/response-reader.js';
import { drained, sendAfterContinue, sendStream, type BodyChannel } from './body-sender.js';
import {
  BadStatusLine,
  BodyTimeout,
  ConnectTimeout,
  ConnectionClosed,
  ConnectionFailed,
  HeadersTimeout,
  RemoteDisconnected,
} from './errors.js';
import type { OutgoingRequest } from './outgoing-request.js';
import { RequestWriter } from './request-writer.js';
import { responseError } from './response-error.js';
import type { ResponseWaiter } from './response-waiter.js';

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

/**
 * Where the socket is in its life. It only moves forward: Connecting → Open → PeerEnded, and from any of
 * them to Failed. The socket's 'close' event is no phase of its own: after the server's clean end it changes
 * nothing (what arrived is still read), and before one it is a failure.
 */
const enum Phase {
  /** The TCP (and TLS) handshake is under way; requests written meanwhile go out once it is done. */
  Connecting,
  /** Connected: requests may be written. */
  Open,
  /** The server ended its side: what it sent before is still read, no request may be written. */
  PeerEnded,
  /** Given up (a socket error, a timeout, a broken response, or `close()`): the socket is destroyed. */
  Failed,
  /** Answered 101 and handed over (`ResponseWaiter.onSwitch`): no HTTP any more, reads go to the new owner. */
  Switched,
}

/** The phase; once Failed, with why. */
type State =
  | { readonly phase: Phase.Connecting | Phase.Open | Phase.PeerEnded | Phase.Switched }
  | {
      readonly phase: Phase.Failed;
      /** What the socket failed with: a connect waiter and the culprit request get it. */
      readonly error: Error;
      /** What the body being read throws: `error` when its response is the culprit, else a RemoteDisconnected. */
      readonly bodyError: Error;
    };

/** Milliseconds for each wait on the server; each defaults to the socket's one `timeout`. */
export interface PhaseTimeouts {
  /** Until the TCP (and TLS) handshake is done. */
  connect?: number | undefined;
  /** From a request's start until its response head is complete. */
  head?: number | undefined;
  /** Between two pieces of a body, while the caller waits for more. */
  body?: number | undefined;
}

const CONNECTING: State = { phase: Phase.Connecting };
const OPEN: State = { phase: Phase.Open };
const PEER_ENDED: State = { phase: Phase.PeerEnded };
const SWITCHED: State = { phase: Phase.Switched };

/**
 * One socket in the client role: request heads and bodies out, responses in, in order (several requests
 * may be in flight: pipelining). Event-driven: a head is parsed as soon as its last byte arrives and handed to
 * its waiter; bodies are pulled with `readBody`, so bytes nobody asked for stay in the reader, and past
 * HIGH_WATER the socket stops reading. HTTPConnection and the Pool both sit on this.
 */
export class ClientSocket implements BodyChannel {
  private readonly reader = new ResponseReader();
  /** Requests sent whose responses are not read to the end, oldest first; queue[0] is being read. */
  private readonly queue: ResponseWaiter[] = [];
  private state: State = CONNECTING;
  /*
   * The flags below are not phases: each is its own concern and holds in more than one phase.
   * - readingBody: which part of the front response is being read. A body is read on while Open, after the
   *   server ended (what it sent before) and after a failure (what had arrived, then `bodyError`).
   * - lastResponse: a fact about the response being read. The socket stays usable until that response ends
   *   (a request pipelined behind it meanwhile fails as unanswered, and the Pool retries it).
   * - paused: flow control of the read side, set only while Open and lifted once the reader drains.
   * - timerSpent, holdingProcess: the states of the socket's timer and of its ref, kept to change them only
   *   when needed.
   */
  private readingBody = false;
  /**
   * The connection closes once the response being read ends: the server said so (`Connection: close`, an
   * upgrade), or its final answer came before the body was sent (Expect: 100-continue) and the framing is
   * in doubt.
   */
  private lastResponse = false;
  private paused = false;
  /** The socket's timer fired while no one waited on the server (it runs again on the next activity). */
  private timerSpent = false;
  private holdingProcess = true;
  /** Interim (1xx) responses before the final one of the response being read. */
  private interim = 0;
  private bodyWaiter: (() => void) | null = null;
  private connectWaiter: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Once Switched: who takes what is read (a view valid during the call); returns false to pause. */
  private switchedReader: ((chunk: Buffer) => boolean) | null = null;
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
  private readonly writer: RequestWriter;
  private readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
  private readonly connectTimeout: number;
  private readonly headTimeout: number;
  private readonly bodyTimeout: number;
  /** The socket's timer now: it is set again only when a phase with another timeout begins. */
  private armed: number;

  /** `open` makes the socket, reading through the `onread` it is given. */
  constructor(
    open: (onread: net.OnReadOpts) => net.Socket,
    /** `host:port`, for messages. */
    private readonly label: string,
    timeout: number,
    private readonly continueTimeout: number,
    phases: PhaseTimeouts = {},
  ) {
    this.connectTimeout = phases.connect ?? timeout;
    this.headTimeout = phases.head ?? timeout;
    this.bodyTimeout = phases.body ?? timeout;
    this.armed = this.connectTimeout;
    const sock = open({
      buffer: () => this.readBuffer,
      callback: (length, buffer) => this.received(length, buffer as Buffer),
    });
    this.sock = sock;
    this.writer = new RequestWriter(sock);
    sock.setTimeout(this.connectTimeout);
    // A plain socket may come connected already (a proxy's tunnel); a TLS one still has its handshake to do.
    if (!('encrypted' in sock) && sock.readyState === 'open') {
      this.state = OPEN;
      this.arm(this.headTimeout);
    } else
      sock.once('encrypted' in sock ? 'secureConnect' : 'connect', () => {
        if (this.state.phase !== Phase.Connecting) return;
        this.state = OPEN;
        this.arm(this.headTimeout);
        const waiter = this.connectWaiter;
        this.connectWaiter = null;
        waiter?.resolve();
      });
    sock.on('end', () => {
      if (this.state.phase === Phase.Open) this.state = PEER_ENDED;
      this.reader.endInput();
      this.input();
    });
    sock.on('timeout', () => this.timedOut());
    sock.on('error', (err) =>
      this.fail(new ConnectionFailed(`${this.label}: ${err.message}`, { cause: err })),
    );
    sock.on('close', () => {
      // After a clean end, heads already received are still handed out; readHeads fails the rest.
      if (this.usable) this.fail(new RemoteDisconnected(`${this.label} closed the connection`));
      this.onClose?.(this);
    });
  }

  /** Whether another request may be written: connecting or open, not ended by the server, nothing failed. */
  get usable(): boolean {
    const phase = this.state.phase;
    return phase === Phase.Open || phase === Phase.Connecting;
  }

  /** Requests written whose responses are not read to the end yet. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Whether a request may be pipelined behind those in flight: all of them allow it. */
  get pipelinable(): boolean {
    for (const waiter of this.queue) if (waiter.pipelinable !== true) return false;
    return true;
  }

  /** Whether the socket keeps the process alive (an idle pooled one does not); toggled only on change. */
  set holdsProcess(hold: boolean) {
    if (hold === this.holdingProcess) return;
    this.holdingProcess = hold;
    if (hold) this.sock.ref();
    else this.sock.unref();
  }

  /** Resolves once connected (and the TLS handshake done); rejects with why not. */
  whenConnected(): Promise<void> {
    const state = this.state;
    if (state.phase === Phase.Failed) return Promise.reject(state.error);
    if (state.phase !== Phase.Connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
    });
  }

  /**
   * Writes a request and queues `waiter` for its response. A body of bytes goes out with the head in one
   * write; a stream (or a body held back by `Expect: 100-continue`) follows, and the promise returned resolves
   * once it is sent; null when everything went out at once.
   */
  send(waiter: ResponseWaiter, request: OutgoingRequest): Promise<void> | null {
    this.queue.push(waiter);
    this.requests++;
    const state = this.state;
    if (state.phase === Phase.Failed) {
      this.fail(state.error);
      return null;
    }
    if (state.phase === Phase.PeerEnded) {
      this.fail(new RemoteDisconnected(`the connection to ${this.label} is closed`));
      return null;
    }
    const { head, body, stream } = request;
    if (request.expectContinue && (body !== null || stream !== null)) {
      this.writer.writeNow(head);
      return sendAfterContinue(this, waiter, request, this.continueTimeout);
    }
    if (stream !== null) {
      this.writer.writeNow(head);
      return sendStream(this, waiter, stream, request.chunked, request.length);
    }
    this.writer.hold(head, body);
    return null;
  }

  /** Writes the head only (Python's `endheaders`); the caller sends any body with `write`. */
  sendHead(waiter: ResponseWaiter, head: string): void {
    // No body to stream: nothing is left to wait for once the head is handed over.
    void this.send(waiter, {
      method: waiter.method,
      head,
      body: null,
      stream: null,
      chunked: false,
      length: null,
      expectContinue: false,
    });
  }

  /** Writes bytes as they are (a string as UTF-8), after anything held; resolves when the socket can take more. */
  async write(data: string | Uint8Array): Promise<void> {
    if (!this.writer.writeNow(typeof data === 'string' ? Buffer.from(data) : data)) await drained(this.sock);
  }

  /**
   * Bytes read into `buffer`. They are parsed at once; whatever the reader still holds afterwards is copied
   * out (or, when large, the buffer is left to it) before the next read reuses the buffer.
   */
  private received(length: number, buffer: Buffer): boolean {
    if (this.state === SWITCHED) return this.switchedReader!(buffer.subarray(0, length));
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
    } else if (this.reader.buffered > 0) {
      this.close(new BadStatusLine(`${this.label} sent bytes no request asked for`));
    }
    if (!this.paused && this.reader.buffered > HIGH_WATER && this.state.phase === Phase.Open) {
      this.paused = true;
      this.sock.pause();
    }
  }

  /** Hands out every head that has arrived, in order, up to the first response with a body. */
  private readHeads(): void {
    const queue = this.queue;
    while (queue.length > 0 && !this.readingBody && this.state.phase !== Phase.Failed) {
      const waiter = queue[0]!;
      this.reader.expect(waiter.method);
      let head: ResponseHead | null;
      try {
        head = this.reader.readHead();
      } catch (err) {
        this.fail(err instanceof ParseError ? responseError(err, 'head') : (err as Error));
        return;
      }
      if (head === null) {
        if (this.state.phase === Phase.PeerEnded) {
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
        if (status === 100 && waiter.onContinue !== undefined) {
          const onContinue = waiter.onContinue;
          waiter.onContinue = undefined;
          onContinue(true);
        } else if (++this.interim > MAX_INTERIM) {
          this.fail(new BadStatusLine(`more than ${MAX_INTERIM} interim responses`));
          return;
        }
        continue;
      }
      this.interim = 0;
      if (status === 101 && waiter.onSwitch !== undefined) {
        this.switchOver(waiter, head);
        return;
      }
      this.lastResponse = !head.keepAlive || status === 101;
      if (waiter.onContinue !== undefined) {
        // The final answer came first: the body is not sent, so the server's idea of framing is unknown.
        const onContinue = waiter.onContinue;
        waiter.onContinue = undefined;
        this.lastResponse = true;
        onContinue(false);
      }
      if (head.framing.kind === 'none') {
        waiter.onHead(head);
        this.finishResponse();
      } else {
        this.readingBody = true;
        this.arm(this.bodyTimeout);
        waiter.onHead(head);
      }
    }
    this.resumeIfDrained();
  }

  /**
   * Hands the socket to the waiter that offered the upgrade its 101 answers: paused, untimed, with the bytes
   * read past the head; its reads go to the reader given to `read`, which resumes it. The socket's listeners
   * stay and do nothing more (a request is never pipelined behind an upgrade offer, so none is left to fail).
   */
  private switchOver(waiter: ResponseWaiter, head: ResponseHead): void {
    this.queue.shift();
    this.state = SWITCHED;
    this.armed = 0;
    this.sock.setTimeout(0);
    this.sock.pause();
    const sock = this.sock;
    waiter.onSwitch!(head, {
      socket: sock,
      head: this.reader.takeBuffered(),
      read: (reader) => {
        this.switchedReader = reader;
        sock.resume();
      },
    });
    waiter.onEnd?.();
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
      const state = this.state;
      if (state.phase === Phase.Failed) throw state.bodyError;
      this.fail(err as Error);
      throw err;
    }
    if (piece === null) {
      const state = this.state;
      if (state.phase === Phase.Failed) throw state.bodyError;
      this.resumeIfDrained();
    } else if (piece === BODY_END) {
      this.readingBody = false;
      this.arm(this.headTimeout);
      this.trailers = this.reader.trailers;
      this.finishResponse();
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
      this.sock.setTimeout(this.armed);
    }
  }

  /** Sets the socket's timer to `ms` when it holds another value (with one timeout for all, never). */
  private arm(ms: number): void {
    if (ms === this.armed || this.state.phase === Phase.Failed) return;
    this.armed = ms;
    this.timerSpent = false;
    this.sock.setTimeout(ms);
  }

  private resumeIfDrained(): void {
    if (this.paused && this.reader.buffered < HIGH_WATER / 2) {
      this.paused = false;
      this.sock.resume();
    }
  }

  /** The front request's response is complete: the next one is read, or the socket is idle (or closed). */
  private finishResponse(): void {
    const waiter = this.queue.shift()!;
    waiter.onEnd?.();
    if (this.lastResponse) {
      this.close();
    } else if (this.queue.length > 0) {
      this.readHeads();
    } else if (this.reader.buffered > 0) {
      // Bytes past the response (a HEAD answered with a body, a second answer to one request) would be
      // read as the next request's response: the connection is out of step, so it goes.
      this.close(new BadStatusLine(`${this.label} sent bytes no request asked for`));
    } else {
      this.onIdle?.(this);
    }
  }

  private timedOut(): void {
    if (this.state.phase === Phase.Connecting) {
      this.fail(new ConnectTimeout(`connecting to ${this.label} timed out after ${this.armed} ms`));
    } else if (this.queue.length > 0 && !this.readingBody) {
      this.fail(new HeadersTimeout(`no answer from ${this.label} within ${this.armed} ms`));
    } else if (this.readingBody && this.bodyWaiter !== null) {
      this.fail(new BodyTimeout(`the body from ${this.label} stalled for ${this.armed} ms`));
    } else {
      // Only a wait on the server counts: a body the caller is slow to read is not the server's fault.
      this.timerSpent = true;
    }
  }

  /**
   * Gives up on the connection. The request the failure is about (`culprit`: the one being read, unless an
   * abort names another) gets `err`, or a RemoteDisconnected when it is a reset before any byte of its
   * response; the others in the pipeline get a RemoteDisconnected (never answered, so they may be retried).
   * A body being read gets its error from `readBody`.
   */
  fail(err: Error, culprit: ResponseWaiter | undefined = this.queue[0]): void {
    const others =
      err instanceof RemoteDisconnected
        ? err
        : new RemoteDisconnected(`${this.label} closed the connection before answering (${err.message})`, {
            cause: err,
          });
    const reading = this.readingBody ? 1 : 0;
    if (this.state.phase !== Phase.Failed) {
      const bodyError = reading === 1 && this.queue[0] !== culprit ? others : err;
      this.state = { phase: Phase.Failed, error: err, bodyError };
    }
    this.sock.destroy();
    const connectWaiter = this.connectWaiter;
    this.connectWaiter = null;
    connectWaiter?.reject(err);
    if (this.queue.length > reading) {
      const answered = this.reader.buffered > 0 || this.interim > 0;
      const failed = this.queue.splice(reading);
      for (let i = 0; i < failed.length; i++) {
        const waiter = failed[i]!;
        waiter.onContinue?.(false);
        waiter.onError(
          waiter !== culprit ? others : i === 0 && reading === 0 && !answered && isReset(err) ? others : err,
        );
        waiter.onEnd?.();
      }
    }
    const wake = this.bodyWaiter;
    this.bodyWaiter = null;
    wake?.();
  }

  /** Closes the socket; whatever is still outstanding fails with `reason` (an abort's, for `culprit`). */
  close(reason: Error = new ConnectionClosed('The connection was closed'), culprit?: ResponseWaiter): void {
    if (this.state.phase === Phase.Failed && this.queue.length === 0) return;
    this.fail(reason, culprit ?? this.queue[0]);
  }
}

function isReset(err: Error): boolean {
  if (!(err instanceof ConnectionFailed)) return false;
  const code = (err.cause as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ParseError } from '../protocol/errors.js';
import { BODY_END, type HeadLimits } from '../protocol/message-reader.js';
import { RequestReader } from '../protocol/request-reader.js';
import { Exchange, type ExchangeTransport, type TakenOverConnection } from './exchange.js';
import { unmappedAddress } from './peer-address.js';
import { ClientDisconnected } from './response-errors.js';
import { engineRefusal, refusalFor, type HTTPStatusError } from './status-error.js';

/** Limits and timeouts of one connection; every field has a default in the server layer. */
export interface ConnectionSettings {
  limits: HeadLimits;
  /** Most time, in ms, from the first byte of a request to the end of its head (slowloris guard). */
  headersTimeout: number;
  /** Most time, in ms, an idle persistent connection waits for its next request. */
  keepAliveTimeout: number;
  /** Most time, in ms, a handler reading the body waits for the next bytes. */
  bodyTimeout: number;
  /**
   * Most time, in ms, from a request's first byte until its body is read whole (0: none); past it, 408
   * and close. A client trickling a body byte by byte cannot hold a connection longer than this.
   */
  requestTimeout: number;
  /**
   * Least request body bytes per second, measured from the first wait for the body once
   * `minBodyRateGrace` ms have passed; slower gets 408 and a close (0: no minimum).
   */
  minBodyRate: number;
  minBodyRateGrace: number;
  /** Most unread request body bytes discarded to keep a connection open after a response. */
  maxDrainBytes: number;
  /** Most time, in ms, spent discarding a request body the response did not read; then the connection closes. */
  drainTimeout: number;
  /** Most received bytes held while a request is handled (pipelined requests, unread body). */
  maxBufferedBytes: number;
  /** How long, in ms, a closing connection keeps reading so the client sees the response, not a reset. */
  lingerTimeout: number;
  /** Most time, in ms, queued response bytes may wait without the client taking any (slow-read guard). */
  sendTimeout: number;
  /**
   * While the server stops: how long, in ms, an idle persistent connection stays open for a request the
   * client may already have sent (it is answered with Connection: close); 0 closes idle connections at once.
   */
  shutdownGrace: number;
}

/** What the server layer does with the requests a connection reads. */
export interface RequestSink {
  /** Handles one request; the connection finishes the exchange when this returns or settles. */
  handle(exchange: Exchange): void | Promise<void>;
  /** Answers a request refused by the protocol layer; the connection closes after it. */
  refuse(exchange: Exchange, error: HTTPStatusError): void;
  /** The connection closed. */
  closed(connection: Connection): void;
}

/** The connection a socket belongs to, for the listeners every connection shares. */
const kConnection = Symbol('connection');
type OwnedSocket = Socket & { [kConnection]: Connection };

/** What every connection taken over holds in place of its own reader: one shared, never read. */
let detachedReader: RequestReader | null = null;

/** ECONNRESET, EPIPE and the like: 'close' follows and cleans up. */
function ignoreSocketError(): void {}

const enum Wait {
  None,
  /** A new connection or a partly received head: the headers timeout runs. */
  Head,
  /** Between requests on a persistent connection. */
  Idle,
  /** A handler waits for request body bytes. */
  Body,
  /** The response is sent and the write side is shut; reading on until the client closes. */
  Linger,
}

/**
 * One client connection: reads requests in order, hands each to the sink, and keeps the stream in step —
 * unread bodies are drained or the connection is closed, pipelined requests wait their turn, reading pauses
 * when too much is buffered, and timeouts end connections that stall.
 */
export class Connection implements ExchangeTransport {
  /** The request reader; a connection taken over holds the shared `detachedReader` instead. */
  reader: RequestReader;
  /** No new request will be read; set by shutdown and by responses that close. */
  closing = false;
  /** The next request is the last one: it is answered with Connection: close. */
  lastRequest = false;
  /** Monotonic deadline (ms) of the current wait, 0 for none; checked by the server's sweep. */
  deadline = 0;
  private wait = Wait.None;
  private exchange: Exchange | null = null;
  /** An exchange whose response is done but whose request body is still being discarded. */
  private draining: Exchange | null = null;
  private drainedBytes = 0;
  /** When the current request's first byte came (0: not known yet; see `awaitBodyBytes`). */
  private requestStart = 0;
  /** When this request's body was first waited for (0: not yet), and the bytes received for it since. */
  private bodyStart = 0;
  private bodyBytes = 0;
  /** When discarding the unread body began. */
  private drainStart = 0;
  private inputEnded = false;
  /** `next` corked the socket for a batch of pipelined responses. */
  private corked = false;
  /** Bytes queued for the client at the last sweep, and since when they have not shrunk. */
  private queuedAtSweep = 0;
  private sendStalledSince = 0;
  private destroyed = false;
  /** A TLS socket: text goes to it as Buffers (see `writeLatin1`). */
  private readonly encrypted: boolean;
  /** The request line of the exchange whose handler took the connection over (null: still HTTP). */
  takenOverBy: string | null = null;
  /** Called once when the server starts to stop, for a connection taken over. */
  private onShutdown: (() => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly sink: RequestSink,
    private readonly options: ConnectionSettings,
    private readonly now: () => number,
  ) {
    this.reader = new RequestReader(options.limits);
    this.encrypted = (socket as TLSSocket).encrypted === true;
    socket.setNoDelay(true);
    (socket as OwnedSocket)[kConnection] = this;
    // Shared listeners: the socket calls them with itself as `this`, as their `this: OwnedSocket` says.
    /* eslint-disable @typescript-eslint/unbound-method */
    socket.on('data', Connection.onSocketData);
    socket.on('end', Connection.onSocketEnd);
    socket.on('error', ignoreSocketError);
    socket.on('close', Connection.onSocketClose);
    socket.on('drain', Connection.onSocketDrain);
    /* eslint-enable @typescript-eslint/unbound-method */
    this.setWait(Wait.Head, options.headersTimeout);
    this.requestStart = now();
  }

  private peerAddress: readonly [host: string, port: number] | null = null;

  /** The client's `[host, port]`; an IPv4-mapped IPv6 address is shown as plain IPv4. */
  get peer(): readonly [host: string, port: number] {
    if (this.peerAddress === null) {
      this.peerAddress = [unmappedAddress(this.socket.remoteAddress ?? ''), this.socket.remotePort ?? 0];
    }
    return this.peerAddress;
  }

  /** The exchange being handled, if any (the server logs it when the shutdown deadline cuts it). */
  get inFlight(): Exchange | null {
    return this.exchange ?? this.draining;
  }

  /** No request may follow the one in flight: the server is stopping, or this was the last one allowed. */
  get mustClose(): boolean {
    return this.closing || this.lastRequest;
  }

  write(data: Buffer): boolean {
    if (this.destroyed) return true;
    return this.socket.write(data);
  }

  /**
   * Writes bytes held in a Latin-1 string. A plain socket takes such a string without a Buffer made in
   * JavaScript and tries the write at once: the cheapest way out for heads and small bodies. A TLS socket
   * cannot try a write, so Node copies the string into an allocation of its own before encrypting it; there
   * a Buffer from the pool is the cheaper form.
   */
  writeLatin1(text: string): boolean {
    if (this.destroyed) return true;
    if (this.encrypted) return this.socket.write(Buffer.from(text, 'latin1'));
    return this.socket.write(text, 'latin1');
  }

  /**
   * Writes a head (Latin-1 text) and a small body as one write, in the form `writeLatin1` says is cheapest.
   * On TLS the body then never becomes a string (a 1 KiB file over HTTPS: 1.02–1.10 × the requests/s at 0.97 ×
   * the CPU per request, the old and new builds loaded side by side).
   */
  writeJoined(head: string, body: Buffer): boolean {
    if (this.destroyed) return true;
    if (!this.encrypted) return this.socket.write(head + body.toString('latin1'), 'latin1');
    const bytes = Buffer.allocUnsafe(head.length + body.length);
    bytes.write(head, 0, 'latin1');
    body.copy(bytes, head.length);
    return this.socket.write(bytes);
  }

  private setWait(wait: Wait, timeout: number): void {
    this.wait = wait;
    this.deadline = timeout > 0 ? this.now() + timeout : 0;
  }

  private clearWait(): void {
    this.wait = Wait.None;
    this.deadline = 0;
  }

  // The socket's listeners, shared by every connection: a closure per connection and event would cost an
  // idle connection some 300 bytes. A listener runs with the socket as `this`.
  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    this[kConnection].onData(chunk);
  }

  private static onSocketEnd(this: OwnedSocket): void {
    this[kConnection].onEnd();
  }

  private static onSocketDrain(this: OwnedSocket): void {
    this[kConnection].onDrain();
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[kConnection].onClose();
  }

  private onData(chunk: Buffer): void {
    if (this.closing && this.exchange === null && this.draining === null) return; // lingering: discard
    this.reader.push(chunk);
    this.bodyBytes += chunk.length;
    const exchange = this.exchange;
    if (exchange !== null) {
      if (exchange.wantsBody) {
        this.awaitBodyBytes();
        exchange.pullBody();
      }
      if (this.reader.buffered > this.options.maxBufferedBytes) this.socket.pause();
      return;
    }
    if (this.draining !== null) {
      if (this.drain()) this.next();
      return;
    }
    this.next();
  }

  /** Called by the exchange when its body stream waits for bytes that have not arrived. */
  awaitBody(): void {
    this.awaitBodyBytes();
    if (this.socket.isPaused()) this.socket.resume();
  }

  /**
   * Waits for request body bytes, until the earliest of: `bodyTimeout` from now, the request deadline, the
   * time the bytes received so far fall below the minimum rate, and (discarding a body) the drain deadline.
   */
  private awaitBodyBytes(): void {
    const now = this.now();
    const { bodyTimeout, requestTimeout, minBodyRate, minBodyRateGrace, drainTimeout } = this.options;
    if (this.bodyStart === 0) {
      this.bodyStart = now;
      this.bodyBytes = this.reader.buffered;
      if (this.requestStart === 0) this.requestStart = now;
    }
    let deadline = bodyTimeout > 0 ? now + bodyTimeout : Infinity;
    if (requestTimeout > 0) deadline = Math.min(deadline, this.requestStart + requestTimeout);
    if (minBodyRate > 0) {
      const earned = Math.max(minBodyRateGrace, (this.bodyBytes * 1000) / minBodyRate);
      deadline = Math.min(deadline, this.bodyStart + earned);
    }
    if (this.draining !== null && drainTimeout > 0)
      deadline = Math.min(deadline, this.drainStart + drainTimeout);
    this.wait = Wait.Body;
    this.deadline = deadline === Infinity ? 0 : Math.ceil(deadline);
  }

  /** Why a body wait ended, as the 408 that says so. */
  private bodyTimedOut(now: number): HTTPStatusError {
    const { requestTimeout, minBodyRate } = this.options;
    if (requestTimeout > 0 && now >= this.requestStart + requestTimeout)
      return engineRefusal(408, 'Request not received within the request timeout');
    const { minBodyRateGrace } = this.options;
    if (
      minBodyRate > 0 &&
      now >= this.bodyStart + Math.max(minBodyRateGrace, (this.bodyBytes * 1000) / minBodyRate)
    )
      return engineRefusal(408, 'Request body arrived slower than the minimum data rate');
    return engineRefusal(408, 'Timed out reading the request body');
  }

  /** Called by the exchange when the request body has been read to its end. */
  bodyDone(): void {
    if (this.wait === Wait.Body) this.clearWait();
  }

  /**
   * Reads and dispatches requests until one is in flight, input runs out, or the connection closes.
   * Responses to pipelined requests answered in one go leave in one write: the socket is corked from the
   * second one on (a lone request, the common case, skips corking altogether).
   */
  private next(): void {
    try {
      this.dispatchLoop();
    } finally {
      if (this.corked) {
        this.corked = false;
        this.socket.uncork();
      }
    }
  }

  private dispatchLoop(): void {
    let dispatched = 0;
    while (this.exchange === null && !this.closing && !this.destroyed) {
      // Do not start a pipelined request while the last response is still queued: a client that sends
      // requests without reading responses must not make the server buffer responses without bound.
      if (this.socket.writableNeedDrain) {
        this.clearWait();
        this.socket.pause();
        return;
      }
      let head;
      try {
        head = this.reader.readHead();
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        this.refuse(refusalFor(err));
        return;
      }
      if (head === null) {
        if (this.inputEnded) {
          this.close();
        } else if (this.reader.hasPartialHead) {
          if (this.wait !== Wait.Head) {
            this.setWait(Wait.Head, this.options.headersTimeout);
            this.requestStart = this.now();
          }
        } else if (this.wait !== Wait.Head && this.wait !== Wait.Idle) {
          // Blank lines between requests are skipped but do not restart the idle time: a client sending
          // a CRLF now and then must not hold the connection forever.
          if (this.lastRequest) this.quietFor(this.options.shutdownGrace);
          else this.setWait(Wait.Idle, this.options.keepAliveTimeout);
        }
        if (this.socket.isPaused()) this.socket.resume();
        return;
      }
      // A head that came whole gets its start time only if its body is waited for (see awaitBodyBytes).
      if (this.wait !== Wait.Head) this.requestStart = 0;
      this.bodyStart = 0;
      this.clearWait();
      if (dispatched++ === 1) {
        this.corked = true;
        this.socket.cork();
      }
      const exchange = new Exchange(this, head);
      this.exchange = exchange;
      let result: void | Promise<void>;
      try {
        result = this.sink.handle(exchange);
      } catch (err) {
        // The sink answers handler errors itself; reaching here means it could not.
        this.socket.destroy(err as Error);
        return;
      }
      if (result !== undefined && typeof result.then === 'function') {
        result.then(
          () => this.finishAndContinue(exchange),
          (err: unknown) => this.socket.destroy(err as Error),
        );
        return;
      }
      if (!this.finish(exchange)) return;
    }
  }

  /**
   * The handler of the exchange in flight takes the connection over: no more reading, parsing or HTTP
   * timers. The socket keeps the listeners that keep the server whole (errors swallowed, 'close' reported),
   * so the connection is still counted, and `shutdown` still reaches it.
   */
  takeOver(requestLine: string, onShutdown: (() => void) | null): TakenOverConnection {
    // A copy: the line is a slice of the whole request head, which would stay in memory with it.
    this.takenOverBy = Buffer.from(requestLine, 'latin1').toString('latin1');
    this.onShutdown = onShutdown;
    this.closing = true;
    this.clearWait();
    const socket = this.socket;
    socket.pause();
    /* eslint-disable @typescript-eslint/unbound-method */
    socket.off('data', Connection.onSocketData);
    socket.off('end', Connection.onSocketEnd);
    socket.off('drain', Connection.onSocketDrain);
    /* eslint-enable @typescript-eslint/unbound-method */
    const head = this.reader.takeBuffered();
    // The connection lives on as long as the new protocol does: its reader, never read again, goes now.
    this.reader = detachedReader ??= new RequestReader(this.options.limits);
    return { socket, head };
  }

  private finishAndContinue(exchange: Exchange): void {
    if (this.finish(exchange)) this.next();
  }

  /**
   * Completes an exchange. Returns true when the connection can read the next request now; otherwise it is
   * closing, or draining an unread body first.
   */
  private finish(exchange: Exchange): boolean {
    exchange.end();
    this.exchange = null;
    if (this.destroyed || this.takenOverBy !== null) return false;
    // `lastRequest` set while this response went out as persistent affects the next response, not this one.
    if (exchange.closeAfter || this.closing) {
      this.close();
      return false;
    }
    if (!exchange.bodyDone) {
      this.draining = exchange;
      this.drainedBytes = 0;
      this.drainStart = this.now();
      return this.drain();
    }
    return true;
  }

  /** Discards the rest of an unread request body, up to the drain limit; over it, the connection closes. */
  private drain(): boolean {
    const exchange = this.draining!;
    for (;;) {
      let piece;
      try {
        piece = this.reader.readBody();
      } catch {
        this.draining = null;
        this.close();
        return false;
      }
      if (piece === BODY_END) {
        this.draining = null;
        exchange.bodyDrained();
        if (this.wait === Wait.Body) this.clearWait();
        return true;
      }
      if (piece === null) {
        this.awaitBodyBytes();
        if (this.socket.isPaused()) this.socket.resume();
        return false;
      }
      this.drainedBytes += piece.length;
      if (this.drainedBytes > this.options.maxDrainBytes) {
        this.draining = null;
        this.close();
        return false;
      }
    }
  }

  private refuse(error: HTTPStatusError): void {
    this.clearWait();
    const exchange = new Exchange(this, null, this.reader.peekStartLine());
    this.exchange = exchange;
    try {
      this.sink.refuse(exchange, error);
    } finally {
      exchange.end();
      this.exchange = null;
      this.close();
    }
  }

  /**
   * Ends the connection after what was written: shut the write side, then keep reading (and discarding)
   * for a while, so a client still sending does not get a reset that destroys the response it has not read.
   */
  close(): void {
    this.closing = true;
    if (this.destroyed || this.exchange !== null) return;
    this.draining = null;
    if (this.inputEnded) {
      this.socket.end();
      return;
    }
    this.setWait(Wait.Linger, this.options.lingerTimeout);
    this.socket.end();
    if (this.socket.isPaused()) this.socket.resume();
  }

  /**
   * The server is stopping. The client of a persistent connection may send its next request at any moment
   * (it may be on the wire already), so no connection is cut while one can arrive: the next response carries
   * Connection: close and the connection closes after it; a connection that stays idle closes once quiet
   * for `shutdownGrace` (or at the shutdown deadline).
   */
  shutdown(): void {
    if (this.takenOverBy !== null) {
      const onShutdown = this.onShutdown;
      this.onShutdown = null;
      if (onShutdown !== null) {
        try {
          onShutdown();
        } catch (err) {
          this.socket.destroy(err as Error);
        }
      }
      return;
    }
    this.lastRequest = true;
    if (this.closing || this.exchange !== null || this.draining !== null || this.reader.hasPartialHead)
      return;
    this.quietFor(this.options.shutdownGrace);
  }

  /** An idle connection of a stopping server closes after `ms` more of quiet (0: now), or sooner if due. */
  private quietFor(ms: number): void {
    if (ms === 0) {
      this.close();
      return;
    }
    const until = this.now() + ms;
    if (this.wait !== Wait.Idle || this.deadline === 0 || until < this.deadline) {
      this.wait = Wait.Idle;
      this.deadline = until;
    }
  }

  /** Called by the server's sweep when `deadline` has passed. */
  timedOut(): void {
    const wait = this.wait;
    this.clearWait();
    switch (wait) {
      case Wait.Head:
        if (this.reader.hasPartialHead) this.refuse(engineRefusal(408, 'Request Timeout'));
        else this.destroy();
        break;
      case Wait.Idle:
      case Wait.Linger:
        this.destroy();
        break;
      case Wait.Body: {
        const exchange = this.exchange;
        if (exchange !== null) {
          exchange.abortBody(this.bodyTimedOut(this.now()));
        } else {
          this.destroy();
        }
        break;
      }
    }
  }

  /**
   * Called by the server's sweep: a client that takes none of the queued response for `sendTimeout` is
   * disconnected, so a reader that stops (or never starts) cannot hold a handler and its resources forever.
   */
  checkSend(now: number): void {
    if (this.takenOverBy !== null) return; // the new protocol paces its own sends
    const queued = this.socket.writableLength;
    if (queued === 0 || queued < this.queuedAtSweep) {
      this.sendStalledSince = 0;
    } else if (this.sendStalledSince === 0) {
      this.sendStalledSince = now;
    } else if (this.options.sendTimeout > 0 && now - this.sendStalledSince >= this.options.sendTimeout) {
      this.destroy();
    }
    this.queuedAtSweep = queued;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onEnd(): void {
    this.inputEnded = true;
    this.reader.endInput();
    const exchange = this.exchange;
    if (exchange !== null) {
      if (exchange.wantsBody) exchange.pullBody();
      return;
    }
    if (this.draining !== null) {
      this.draining = null;
      this.close();
      return;
    }
    if (this.closing) {
      this.destroy();
      return;
    }
    // Requests sent before the half-close are still answered (RFC 9112 §9.6 lets a client do this).
    this.next();
  }

  private onDrain(): void {
    const exchange = this.exchange;
    if (exchange !== null) {
      exchange.onDrain();
      return;
    }
    if (this.draining === null && !this.closing) this.next();
  }

  private onClose(): void {
    this.destroyed = true;
    this.closing = true;
    this.clearWait();
    this.exchange?.abort(new ClientDisconnected());
    this.sink.closed(this);
  }
}

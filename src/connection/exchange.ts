import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { ParseError } from '../protocol/errors.js';
import { responseHasBody } from '../protocol/framing.js';
import { BODY_END } from '../protocol/message-reader.js';
import type { RequestHead, RequestReader } from '../protocol/request-reader.js';
import { HeaderValueError } from '../protocol/response-head.js';
import { RequestBodyStream } from './request-body.js';
import {
  ClientDisconnected,
  ContentLengthExceeded,
  HeadersSentError,
  ResponseOrderError,
  TakeOverError,
} from './response-errors.js';
import { ResponseBody } from './response-body.js';
import { HTTPStatusError, refusalFor } from './status-error.js';

/**
 * What an exchange needs of the connection it runs on. The connection implements it; the exchange never
 * reaches further in, and the connection changes an exchange only through the exchange's methods.
 */
export interface ExchangeTransport {
  /** The socket, for corking a head with its body and for handlers that watch it (CGI). */
  readonly socket: Socket;
  /** The client's `[host, port]`. */
  readonly peer: readonly [host: string, port: number];
  /** The reader the request body comes from. */
  readonly reader: RequestReader;
  /** No request may follow this response (the server is stopping, or this was the last one allowed). */
  readonly mustClose: boolean;
  write(data: Buffer): boolean;
  /** Writes bytes held in a Latin-1 string (heads, chunk framing). */
  writeLatin1(text: string): boolean;
  /** Writes a head and a small body together, as one write. */
  writeJoined(head: string, body: Buffer): boolean;
  /** The body stream waits for bytes that have not arrived: start the body timer, read on. */
  awaitBody(): void;
  /** The connection leaves HTTP: see `Exchange.takeOver`. */
  takeOver(requestLine: string, onShutdown: (() => void) | null): TakenOverConnection;
  /** The request body has been read to its end. */
  bodyDone(): void;
}

/** A connection that left HTTP (an upgrade, a CONNECT tunnel): its socket and the bytes read past the head. */
export interface TakenOverConnection {
  /**
   * The client's socket (a TLSSocket on HTTPS), paused: call `resume()` once listening for 'data'. The
   * server still counts it, so `shutdown()` waits for it and destroys it at its deadline.
   */
  readonly socket: Socket;
  /** Bytes the client sent after the request head, already read off the socket (often none). */
  readonly head: Buffer;
}

/** How the response head asks for its body to be framed; filled in by whoever builds the head. */
export interface HeadFraming {
  /** The Content-Length the head declares, or -1 when it declares none. */
  contentLength: number;
  /** The head already carries `Transfer-Encoding: chunked`. */
  chunked: boolean;
  /** The sender wants the connection closed after this response. */
  close: boolean;
  /** The head already carries a Connection field, so none is added. */
  hasConnectionField: boolean;
  /** The status line says HTTP/1.1 (chunked and persistent HTTP/1.0 replies depend on it). */
  http11: boolean;
}

const INTERIM_CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const TRANSFER_ENCODING_LINE = /^Transfer-Encoding:[^\r\n]*\r\n/gim;
/** Bodies up to this size go out joined with the head (or chunk framing): one write. */
const COALESCE_BYTES = 4 * 1024;

/** Work to stop when the client leaves: what `Exchange.cancelOnAbort` takes (a Pool's `PendingResponse` is one). */
export interface Cancellable {
  /** Stops the work, `reason` saying why (a ClientDisconnected). */
  cancel(reason: Error): void;
}

const enum BodyMode {
  None,
  Length,
  Chunked,
  UntilClose,
}

/**
 * One request and its response on a connection. The handler layer reads the request body and writes the
 * response through it; the exchange owns framing: it decides Content-Length vs chunked vs close, adds the
 * framing fields the head lacks, drops bodies that must not be sent, and reports whether the connection can
 * carry another request afterwards.
 */
export class Exchange {
  /** Whether the connection must close once this response is sent. */
  closeAfter = false;
  /** Whether the final response head has been handed to the connection. */
  headCommitted = false;
  /** Whether the response is complete. */
  ended = false;
  /** Whether the whole request body has been read off the connection. */
  get bodyDone(): boolean {
    return this.bodyRead;
  }
  private bodyRead: boolean;
  /** The status of the committed final response; 0 before. */
  status = 0;
  /** Response body bytes written so far (for logs). */
  bytesSent = 0;
  /** The response body's declared size (bytes sent plus those still owed), or -1 when not declared. */
  get declaredLength(): number {
    return this.bodyMode === BodyMode.Length ? this.bytesSent + this.remaining : -1;
  }
  /** A `101 Switching Protocols` head went out: the connection must be taken over or closed. */
  switchedProtocols = false;
  /** The connection left HTTP for this exchange's handler (`takeOver`). */
  takenOver = false;
  /** Set when the connection died under this exchange; writes are dropped from then on. */
  aborted = false;
  /** Why reading the request body failed (bad chunking, a timeout), as the status to answer with. */
  bodyError: HTTPStatusError | null = null;
  private continueSent = false;
  private pendingHead: string | null = null;
  private bodyMode = BodyMode.None;
  private remaining = 0;
  private requestBody: RequestBodyStream | null = null;
  /** Bytes a write tried to send past the declared Content-Length. */
  private overrun = 0;
  private responseBody: ResponseBody | null = null;
  /**
   * Cancelled when the connection dies under this exchange, as `signal` is aborted, without an
   * AbortController and its listeners per request: what the reverse proxy's backend request is.
   */
  cancelOnAbort: Cancellable | null = null;
  /** Made by the first read of `signal` only: most exchanges never need one. */
  declare private disconnect?: AbortController;
  /** The request body stream is waiting for bytes from the socket. */
  wantsBody = false;
  constructor(
    readonly connection: ExchangeTransport,
    /** The parsed head; null for a request refused before its head could be parsed. */
    readonly head: RequestHead | null,
    /** The request line for logs; for a refused request, as much of it as arrived. */
    readonly requestLine: string = head?.requestLine ?? '',
  ) {
    this.bodyRead = head === null || head.framing.kind === 'none';
    if (head === null) this.closeAfter = true;
  }

  /** The request method, or '' when the head could not be parsed. */
  get method(): string {
    return this.head?.method ?? '';
  }

  /** The request body as a stream that fills at the pace it is read (created on first use). */
  get body(): RequestBodyStream {
    return (this.requestBody ??= new RequestBodyStream(this));
  }

  /** The response body as a stream with backpressure (created on first use). */
  get responseStream(): Writable {
    return (this.responseBody ??= new ResponseBody(this));
  }

  /**
   * Ends the response stream when the handler is done with it. Returns a promise only when the stream still
   * holds writes waiting on backpressure; the common case (everything already passed on) stays synchronous.
   */
  settleResponseStream(): void | Promise<void> {
    const s = this.responseBody;
    // A stream with nothing held back is left as it is: ending it would only schedule events nobody awaits.
    if (s === null || s.destroyed || s.writableFinished || !s.pending) return;
    return new Promise<void>((resolve) => {
      const done = (): void => resolve();
      s.once('finish', done);
      s.once('close', done);
      if (!s.writableEnded) s.end();
    });
  }

  /** Pulls request body bytes from the connection into the body stream; see RequestBodyStream. */
  pullBody(): void {
    const head = this.head;
    if (head === null || this.bodyRead) {
      this.requestBody?.push(null);
      return;
    }
    this.sendContinue();
    const reader = this.connection.reader;
    for (;;) {
      let piece: Buffer | null | typeof BODY_END;
      try {
        piece = reader.readBody();
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        this.abortBody(refusalFor(err));
        return;
      }
      if (piece === null) {
        this.wantsBody = true;
        this.connection.awaitBody();
        return;
      }
      if (piece === BODY_END) {
        this.wantsBody = false;
        this.bodyRead = true;
        this.connection.bodyDone();
        this.requestBody?.push(null);
        return;
      }
      if (this.requestBody === null || !this.requestBody.push(piece)) {
        this.wantsBody = false;
        return;
      }
    }
  }

  /** Fails the request body stream (bad chunking, a stalled client); the connection closes afterwards. */
  abortBody(err: HTTPStatusError): void {
    this.bodyError = err;
    this.wantsBody = false;
    this.closeAfter = true;
    this.requestBody?.destroy(err);
  }

  /**
   * Sends the interim `100 Continue` if the client waits for one and no final head went out: when the body
   * is first read, or earlier when the handler asks.
   */
  sendContinue(): void {
    if (this.head?.expectContinue && !this.continueSent && !this.headCommitted) {
      this.continueSent = true;
      this.connection.writeLatin1(INTERIM_CONTINUE);
    }
  }

  /** Writes an interim (1xx) head of `status` at once; `text` ends with the blank line. */
  sendInterim(status: number, text: string): void {
    if (this.headCommitted)
      throw new HeadersSentError('An interim response cannot follow the final response head');
    if (this.switchedProtocols) throw new HeadersSentError('No response can follow 101 Switching Protocols');
    if (status === 100) this.continueSent = true;
    if (status === 101) {
      // RFC 9110 §7.8: an HTTP/1.0 request's Upgrade is ignored, so it cannot be switched.
      if (this.head === null || this.head.versionMinor === 0)
        throw new TakeOverError('101 Switching Protocols cannot answer an HTTP/1.0 request');
      this.checkBodyRead();
      this.switchedProtocols = true;
    }
    this.connection.writeLatin1(text);
  }

  /** The new protocol starts after the request (RFC 9110 §7.8): its body must be read whole first. */
  private checkBodyRead(): void {
    if (!this.bodyRead)
      throw new TakeOverError('The request body must be read before the connection leaves HTTP');
  }

  /**
   * Hands the connection to the handler after a 101 head, or a 2xx head answering CONNECT (sent now): the
   * engine reads and times it no more, and this exchange is over. `onShutdown` is called once when the
   * server starts to stop, so the new protocol can say goodbye before the shutdown deadline cuts it.
   */
  takeOver(onShutdown: (() => void) | null = null): TakenOverConnection {
    const head = this.head;
    if (this.takenOver) throw new TakeOverError('The connection was already taken over');
    const tunnel =
      head?.method === 'CONNECT' && this.headCommitted && this.status >= 200 && this.status < 300;
    if (!this.switchedProtocols && !tunnel)
      throw new TakeOverError(
        'Take a connection over after sending 101 Switching Protocols (or a 2xx to CONNECT)',
      );
    this.checkBodyRead();
    if (this.aborted) throw new TakeOverError('The client already closed the connection');
    this.flushHead();
    this.takenOver = true;
    this.ended = true;
    return this.connection.takeOver(this.requestLine, onShutdown);
  }

  /**
   * Takes the final response head (status line and fields, without the closing blank line) and decides the
   * framing. The head is held back so the first body write can go out in the same packet.
   */
  commitHead(status: number, text: string, framing: HeadFraming): void {
    if (this.headCommitted) throw new HeadersSentError();
    const head = this.head;
    let close = framing.close || this.closeAfter || this.connection.mustClose;
    let extra = '';
    if (status === 205) {
      // RFC 9110 §15.3.6: no content, said with Content-Length: 0 (an empty chunked body would be content
      // framing the client has to read; closing would waste the connection).
      if (framing.chunked || framing.contentLength > 0) {
        throw new HeaderValueError('A 205 Reset Content response carries no content');
      }
      if (framing.contentLength < 0) extra += 'Content-Length: 0\r\n';
    } else if (head !== null && responseHasBody(head.method, status)) {
      if (framing.contentLength >= 0) {
        this.bodyMode = BodyMode.Length;
        this.remaining = framing.contentLength;
      } else if (framing.http11 && head.versionMinor >= 1) {
        this.bodyMode = BodyMode.Chunked;
        if (!framing.chunked) extra += 'Transfer-Encoding: chunked\r\n';
      } else {
        this.bodyMode = BodyMode.UntilClose;
        close = true;
        // No chunked coding for HTTP/1.0 (RFC 9112 §6.1): a Transfer-Encoding the handler sent would make
        // the client de-chunk plain bytes.
        if (framing.chunked) text = text.replace(TRANSFER_ENCODING_LINE, '');
      }
    } else if (head === null) {
      this.bodyMode = framing.contentLength >= 0 ? BodyMode.Length : BodyMode.UntilClose;
      this.remaining = Math.max(framing.contentLength, 0);
      close = true;
    }
    // A client that sent `Expect: 100-continue` and got no 100 may or may not send its body now: only
    // closing keeps the next request's start certain.
    if (head?.expectContinue && !this.continueSent && !this.bodyRead) close = true;
    if (!framing.hasConnectionField) {
      if (close) extra += 'Connection: close\r\n';
      else if (head !== null && head.versionMinor === 0) extra += 'Connection: keep-alive\r\n';
    }
    // A client told its CONNECT succeeded sends tunnel bytes next: unless the handler takes the connection
    // over, those cannot be read as HTTP. (No Connection: close for it: the client would take it as the
    // tunnel's end.)
    this.closeAfter = close || (head?.method === 'CONNECT' && status >= 200 && status < 300);
    this.status = status;
    this.headCommitted = true;
    this.pendingHead = `${text}${extra}\r\n`;
  }

  /**
   * Writes body bytes, framed as the head decided. Returns false when the socket is backed up (wait for
   * `onDrain`). Bytes for a response that has no body (HEAD, 204, 304) are dropped.
   */
  write(chunk: Buffer): boolean {
    this.checkWritable();
    if (this.aborted) return true;
    const n = chunk.length;
    switch (this.bodyMode) {
      case BodyMode.None:
        return this.flushHead();
      case BodyMode.Length:
        if (n > this.remaining) {
          this.closeAfter = true;
          this.overrun = n - this.remaining;
          throw new ContentLengthExceeded(this.overrun);
        }
        this.remaining -= n;
        this.bytesSent += n;
        return this.send(chunk);
      case BodyMode.Chunked:
        if (n === 0) return this.flushHead();
        this.bytesSent += n;
        if (n > COALESCE_BYTES) return this.sendChunkLarge(chunk);
        return this.connection.writeLatin1(
          `${this.takeHead()}${n.toString(16)}\r\n${chunk.toString('latin1')}\r\n`,
        );
      case BodyMode.UntilClose:
        this.bytesSent += n;
        return this.send(chunk);
    }
  }

  /** Throws unless body bytes may be written now: after the head, before the end. */
  checkWritable(): void {
    if (!this.headCommitted)
      throw new ResponseOrderError('Response body written before the head (call endHeaders first)');
    if (this.ended) throw new ResponseOrderError('Response body written after the response ended');
  }

  private sendChunkLarge(chunk: Buffer): boolean {
    const socket = this.connection.socket;
    socket.cork();
    this.connection.writeLatin1(`${this.takeHead()}${chunk.length.toString(16)}\r\n`);
    this.connection.write(chunk);
    const ok = this.connection.writeLatin1('\r\n');
    socket.uncork();
    return ok;
  }

  /** Sends the held-back head together with `body`: as one string when small, else corked together. */
  private send(body: Buffer): boolean {
    const head = this.pendingHead;
    if (head === null) return this.connection.write(body);
    this.pendingHead = null;
    if (body.length <= COALESCE_BYTES) return this.connection.writeJoined(head, body);
    const socket = this.connection.socket;
    socket.cork();
    this.connection.writeLatin1(head);
    const ok = this.connection.write(body);
    socket.uncork();
    return ok;
  }

  /** The held-back head, now owed to the wire ('' once sent). */
  private takeHead(): string {
    const head = this.pendingHead;
    if (head === null) return '';
    this.pendingHead = null;
    return head;
  }

  /** Sends the held-back head now instead of with the first body bytes. */
  flushHead(): boolean {
    const head = this.takeHead();
    return head === '' || this.connection.writeLatin1(head);
  }

  /** Completes the response: the held-back head, the last chunk. A short Content-Length body closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.aborted) return;
    if (this.bodyMode === BodyMode.Chunked) {
      this.connection.writeLatin1(`${this.takeHead()}0\r\n\r\n`);
      return;
    }
    this.flushHead();
    if (this.bodyMode === BodyMode.Length && this.remaining > 0) this.closeAfter = true;
  }

  /**
   * How the body broke the Content-Length its head declared, once the handler is done with it; null when it
   * kept to it. The connection closes either way (the client cannot find the next response); this is for the
   * log line that says why.
   */
  framingProblem(): string | null {
    if (this.overrun > 0) return `response body exceeds its Content-Length by ${this.overrun} bytes`;
    if (this.bodyMode === BodyMode.Length && this.remaining > 0 && !this.aborted) {
      return `response body ended ${this.remaining} bytes short of its Content-Length`;
    }
    return null;
  }

  /**
   * Gives up on the response after a handler failed mid-way: nothing more is written (no last chunk), so
   * the client sees a truncated message when the connection closes, never a complete-looking one.
   */
  fail(): void {
    this.ended = true;
    this.closeAfter = true;
  }

  /** The handler asked to close the connection once this response is sent (Python's `close_connection`). */
  closeAfterResponse(): void {
    this.closeAfter = true;
  }

  /** The connection discarded the rest of an unread request body. */
  bodyDrained(): void {
    this.bodyRead = true;
  }

  /** The socket drained: release a response stream waiting on backpressure. */
  onDrain(): void {
    this.responseBody?.drained();
  }

  /**
   * Aborted, with a ClientDisconnected, when the connection dies under this exchange (what `abort` learns
   * from the connection's 'close'), so a handler can stop work nobody will receive.
   */
  get signal(): AbortSignal {
    if (this.disconnect === undefined) {
      this.disconnect = new AbortController();
      if (this.aborted) this.disconnect.abort(new ClientDisconnected());
    }
    return this.disconnect.signal;
  }

  /** The connection is gone: streams error out so handlers waiting on them finish. */
  abort(err: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.closeAfter = true;
    this.disconnect?.abort(err);
    this.cancelOnAbort?.cancel(err);
    if (this.requestBody !== null && !this.bodyRead) this.requestBody.destroy(err);
    this.responseBody?.destroy(err);
  }
}

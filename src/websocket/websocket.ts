import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import {
  CloseCode,
  MAX_CLOSE_REASON_BYTES,
  closePayload,
  isApplicationCloseCode,
  parseClosePayload,
  type ClosePayload,
} from '../protocol/websocket/close-codes.js';
import type { NegotiatedDeflate } from '../protocol/websocket/deflate-offer.js';
import {
  FIN,
  RSV1,
  frameHeader,
  frameHeaderSize,
  writeFrameHeader,
} from '../protocol/websocket/frame-header.js';
import { FrameReader, type FrameSink } from '../protocol/websocket/frame-reader.js';
import { Opcode } from '../protocol/websocket/opcodes.js';
import { Utf8Validator } from '../protocol/websocket/utf8-validator.js';
import { DeflateTooLargeError } from './deflate-errors.js';
import {
  WebSocketCloseCodeError,
  WebSocketCloseReasonError,
  WebSocketPingSizeError,
  WebSocketProtocolError,
  WebSocketStateError,
} from './errors.js';
import type {
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketEvent,
  WebSocketEventMap,
  WebSocketMessageEvent,
} from './events.js';
import { Listeners } from './listeners.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { PerMessageDeflate } from './permessage-deflate.js';
import { deflateThreshold } from '../protocol/websocket/deflate-offer.js';

/** How binary messages are handed to 'message' listeners: the browser's default ArrayBuffer, a Buffer, a Blob. */
export type BinaryType = 'arraybuffer' | 'nodebuffer' | 'blob';

/** An `on…` handler property. */
export type WebSocketHandler<E> = ((event: E) => void) | null;

/** What the opening handshake settled: what `WebSocket.attach` builds a socket from. */
export interface WebSocketSetup {
  /** The request target, e.g. `/chat?room=1`. */
  readonly url: string;
  /** The chosen subprotocol, '' for none. */
  readonly protocol: string;
  /** The Sec-WebSocket-Extensions value of the answer, '' for none. */
  readonly extensions: string;
  /** The permessage-deflate parameters agreed on, or null. */
  readonly deflate: NegotiatedDeflate | null;
  readonly options: ResolvedWebSocketOptions;
  /** Where an exception thrown by a listener is reported (the server's error log). */
  readonly reportError: (error: unknown) => void;
}

/** A frame waiting its turn to be written: behind a compression or a Blob still being read. */
interface PendingFrame {
  /** First header byte: FIN, RSV1, opcode. */
  first: number;
  /** The message's bytes; null while a Blob is read. */
  data: Buffer | null;
  /** The frame payload once ready (compressed or as is); null until then. */
  payload: Buffer | null;
  /** Whether `data` goes through permessage-deflate first. */
  compress: boolean;
  submitted: boolean;
  /** Bytes counted in `bufferedAmount` for it. */
  readonly size: number;
  dropped: boolean;
}

/** The WebSocket a socket belongs to, for the listeners every socket shares. */
const kWebSocket = Symbol('webSocket');
type OwnedSocket = Socket & { [kWebSocket]: WebSocket };

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const EMPTY = Buffer.alloc(0);
/** Why a text message fails (RFC 6455 §8.1), whether found whole, while streaming or after inflating. */
const NOT_UTF8 = 'text message is not UTF-8';
/** Payloads up to this size go out copied behind their header in one write; larger ones in two, corked. */
const COPY_MAX = 1024;

/**
 * One WebSocket connection (RFC 6455), server side, with the browser's WebSocket interface where it
 * applies: `send`, `close`, `readyState`, `bufferedAmount`, `protocol`, `extensions`, `binaryType`, `on…`
 * handlers and `addEventListener`; plus `ping()`, `terminate()`, and backpressure (`send()` returns false
 * over `highWaterMark`, then 'drain'). Made by `BaseHTTPRequestHandler.acceptWebSocket`.
 *
 * The protocol is checked strictly: a peer breaking it gets a close frame with 1002 (frame rules), 1007
 * (text that is not UTF-8) or 1009 (a message over `maxPayload`), an 'error' event, then 'close'.
 */
export class WebSocket {
  /** readyState: the opening handshake is not done. */
  static readonly CONNECTING = CONNECTING;
  /** readyState: messages flow. */
  static readonly OPEN = OPEN;
  /** readyState: a close frame was sent or received. */
  static readonly CLOSING = CLOSING;
  /** readyState: the connection is closed. */
  static readonly CLOSED = CLOSED;
  /** readyState: the opening handshake is not done. */
  declare readonly CONNECTING: 0;
  /** readyState: messages flow. */
  declare readonly OPEN: 1;
  /** readyState: a close frame was sent or received. */
  declare readonly CLOSING: 2;
  /** readyState: the connection is closed. */
  declare readonly CLOSED: 3;

  /** The request target the client opened, e.g. `/chat?room=1`. */
  readonly url: string;
  /** The subprotocol chosen at the handshake, '' for none. */
  readonly protocol: string;
  /** The extensions agreed on at the handshake (the Sec-WebSocket-Extensions answer), '' for none. */
  readonly extensions: string;
  /** How binary messages arrive: 'arraybuffer' (the default, as browsers), 'nodebuffer' (no copy) or 'blob'. */
  binaryType: BinaryType = 'arraybuffer';

  /** Called when the socket opens, a microtask after `acceptWebSocket` returned it. */
  onopen: WebSocketHandler<WebSocketEvent> = null;
  /** Called for each message. */
  onmessage: WebSocketHandler<WebSocketMessageEvent> = null;
  /** Called once when the connection has closed, however it closed. */
  onclose: WebSocketHandler<WebSocketCloseEvent> = null;
  /** Called when the peer broke the protocol or the socket failed; 'close' follows. */
  onerror: WebSocketHandler<WebSocketErrorEvent> = null;
  /** Called when `bufferedAmount` is back to 0 after `send()` returned false. */
  ondrain: WebSocketHandler<WebSocketEvent> = null;

  private state = OPEN;
  private readonly reader: FrameReader;
  private readonly listeners = new Listeners();
  private readonly deflate: PerMessageDeflate | null;
  private readonly maxPayload: number;
  private readonly idleTimeout: number;
  private readonly closeTimeout: number;
  private readonly highWaterMark: number;
  private readonly reportError: (error: unknown) => void;

  // The message being received.
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageLength = 0;
  private parts: Buffer[] = [];
  private readonly text = new Utf8Validator();
  /** Pieces of a control frame, or of a compressed frame, until its last piece. */
  private frameParts: Buffer[] = [];

  // Closing.
  private closeSent = false;
  private closeReceived = false;
  private peerClose: ClosePayload = { code: CloseCode.Abnormal, reason: '' };
  private ended = false;
  private closeTimer: NodeJS.Timeout | null = null;

  // Idle detection.
  private idleTimer: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  private idlePingAt = 0;

  // Sending.
  private pending: PendingFrame[] | null = null;
  private pendingBytes = 0;
  private needDrain = false;

  /** The connection's socket, from `open` on (a socket made by `pending` has none until then). */
  declare private socket: Socket;

  private constructor(setup: WebSocketSetup) {
    const options = setup.options;
    this.url = setup.url;
    this.protocol = setup.protocol;
    this.extensions = setup.extensions;
    this.maxPayload = options.maxPayload;
    this.idleTimeout = options.idleTimeout;
    this.closeTimeout = options.closeTimeout;
    this.highWaterMark = options.highWaterMark;
    this.reportError = setup.reportError;
    this.deflate =
      setup.deflate === null || options.compress === false
        ? null
        : new PerMessageDeflate(setup.deflate, {
            maxPayload: options.maxPayload,
            threshold: deflateThreshold(options.compress),
          });
    this.reader = new FrameReader(new WebSocket.ReaderSink(this), 'server', this.deflate !== null);
  }

  /**
   * A socket whose 101 answer has not gone out yet: CONNECTING until `open`, so that the Fetch face's app
   * can set its listeners before it returns the response (`acceptWebSocket` opens it at once).
   * @internal
   */
  static pending(setup: WebSocketSetup): WebSocket {
    const ws = new WebSocket(setup);
    ws.state = CONNECTING;
    return ws;
  }

  /**
   * The 101 answer went out: the socket is OPEN from now on; 'open' is dispatched and reading starts on the
   * next microtask. `socket` is paused; `head` holds bytes already read past the request.
   * @internal
   */
  open(socket: Socket, head: Buffer): void {
    this.socket = socket;
    this.state = OPEN;
    (socket as OwnedSocket)[kWebSocket] = this;
    // Shared listeners, called with the socket as `this`: closures per socket and event would cost an idle
    // WebSocket some 300 bytes more.
    /* eslint-disable @typescript-eslint/unbound-method */
    socket.on('end', WebSocket.onSocketEnd);
    socket.on('close', WebSocket.onSocketClose);
    socket.on('error', WebSocket.onSocketError);
    socket.on('drain', WebSocket.onSocketDrain);
    /* eslint-enable @typescript-eslint/unbound-method */
    if (this.idleTimeout > 0) {
      this.lastActivity = Date.now();
      this.armIdle(this.idleTimeout);
    }
    queueMicrotask(() => this.start(head));
  }

  /**
   * A socket made by `pending` that will never open (the app answered with another response, or failed):
   * 'error' with `reason`, then 'close' with 1006.
   * @internal
   */
  abandon(reason: Error): void {
    if (this.state !== CONNECTING) return;
    this.state = CLOSED;
    this.deflate?.close();
    this.emit('error', this.onerror, { type: 'error', error: reason, message: reason.message, target: this });
    this.emit('close', this.onclose, {
      type: 'close',
      code: CloseCode.Abnormal,
      reason: '',
      wasClean: false,
      target: this,
    });
  }

  /** CONNECTING, OPEN, CLOSING or CLOSED (0-3). */
  get readyState(): number {
    return this.state;
  }

  /** Bytes sent and not yet taken by the network: queued in the socket, or waiting for compression. */
  get bufferedAmount(): number {
    return (this.state === CONNECTING ? 0 : this.socket.writableLength) + this.pendingBytes;
  }

  /** Adds a listener for `type`, once (the same function is added only once per type). */
  addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => void,
    options?: { once?: boolean },
  ): void {
    this.listeners.add(type, listener, options?.once === true);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => void,
  ): void {
    this.listeners.remove(type, listener);
  }

  /**
   * Sends a message: a string as text, bytes (a Buffer, a typed array, an ArrayBuffer, a Blob) as binary.
   * The bytes are not copied: leave them as they are until sent. Returns false once `bufferedAmount` has
   * reached `highWaterMark`: stop sending until 'drain'. Throws WebSocketStateError unless OPEN.
   */
  send(data: string | ArrayBufferView | ArrayBuffer | Blob): boolean {
    if (this.state !== OPEN) throw this.stateError('send');
    if (typeof data === 'string') {
      if (this.pending === null && this.deflate === null) this.writeText(data);
      else this.sendMessage(Opcode.Text, Buffer.from(data, 'utf8'));
    } else if (data instanceof Blob) {
      this.sendBlob(data);
    } else {
      this.sendMessage(Opcode.Binary, toBuffer(data));
    }
    if (this.bufferedAmount < this.highWaterMark) return true;
    if (!this.needDrain) {
      this.needDrain = true;
      this.watchDrain();
    }
    return false;
  }

  /** Sends a ping (the peer answers with a pong) carrying at most 125 bytes. Throws WebSocketStateError unless OPEN. */
  ping(data: string | ArrayBufferView | ArrayBuffer = EMPTY): void {
    if (this.state !== OPEN) throw this.stateError('ping');
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data);
    if (payload.length > 125) throw new WebSocketPingSizeError(payload.length);
    this.writeFrame(FIN | Opcode.Ping, payload);
  }

  /**
   * Starts the closing handshake: sends a close frame (after the messages still queued), waits
   * `closeTimeout` for the peer's, then the server ends the TCP connection. `code` is 1000 or 3000-4999
   * (WebSocketCloseCodeError otherwise); with no code the frame carries none, with only a reason it is 1000.
   * `reason` has at most 123 bytes of UTF-8 (WebSocketCloseReasonError). Does nothing once closing.
   */
  close(code?: number, reason = ''): void {
    if (code !== undefined && !isApplicationCloseCode(code)) throw new WebSocketCloseCodeError(code);
    const bytes = Buffer.byteLength(reason);
    if (bytes > MAX_CLOSE_REASON_BYTES) throw new WebSocketCloseReasonError(bytes);
    if (this.state === CONNECTING) throw this.stateError('close');
    if (this.state !== OPEN) return;
    this.startClose(code ?? (reason === '' ? CloseCode.NoStatus : CloseCode.Normal), reason);
  }

  /** Destroys the connection now, without a closing handshake: 'close' reports 1006. */
  terminate(): void {
    if (this.state === CONNECTING) throw this.stateError('terminate');
    if (this.state === CLOSED) return;
    this.state = CLOSING;
    this.socket.destroy();
  }

  /**
   * The server is shutting down (internal: the engine's shutdown hook): close with 1001, "server shutting
   * down", as a user closes; the server's shutdown deadline destroys what is still open then.
   * @internal
   */
  shutdown(): void {
    if (this.state === OPEN) this.startClose(CloseCode.GoingAway, 'server shutting down');
  }

  // ---- reading ----

  private start(head: Buffer): void {
    if (this.state === CLOSED) return;
    if (this.state === OPEN) this.emit('open', this.onopen, { type: 'open', target: this });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the socket as `this`
    this.socket.on('data', WebSocket.onSocketData);
    if (head.length > 0) this.received(head);
    this.socket.resume();
  }

  /**
   * Every message in a chunk is handled before the socket writes: what the listeners send in answer (an
   * echo, a pong, a broadcast) leaves in one write for the chunk, not one system call per message.
   */
  private received(chunk: Buffer): void {
    if (this.idleTimeout > 0) this.lastActivity = Date.now();
    const socket = this.socket;
    socket.cork();
    try {
      this.reader.push(chunk);
    } finally {
      socket.uncork();
    }
  }

  /** The frame reader's callbacks, kept off the public interface: one small object per socket, methods shared. */
  private static readonly ReaderSink = class implements FrameSink {
    constructor(private readonly ws: WebSocket) {}

    frameStart(reader: FrameReader): void {
      this.ws.frameStart(reader);
    }

    framePayload(data: Buffer, last: boolean): void {
      this.ws.framePayload(data, last);
    }

    frameError(closeCode: number, message: string): void {
      this.ws.fail(closeCode, message);
    }
  };

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    this[kWebSocket].received(chunk);
  }

  private static onSocketEnd(this: OwnedSocket): void {
    this[kWebSocket].peerEnded();
  }

  private static onSocketError(this: OwnedSocket, error: Error): void {
    this[kWebSocket].socketFailed(error);
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[kWebSocket].socketClosed();
  }

  private static onSocketDrain(this: OwnedSocket): void {
    this[kWebSocket].drained();
  }

  /** A frame header: a data frame's length counts toward the message's, checked against maxPayload at once. */
  private frameStart(reader: FrameReader): void {
    const opcode = reader.opcode;
    if (opcode >= Opcode.Close) return;
    if (opcode !== Opcode.Continuation) {
      this.messageOpcode = opcode;
      this.messageCompressed = reader.rsv1;
      this.messageLength = 0;
    }
    this.messageLength += reader.payloadLength;
    if (this.messageLength > this.maxPayload) {
      this.fail(CloseCode.MessageTooBig, `message over maxPayload (${this.maxPayload} bytes)`);
    }
  }

  /** A piece of a frame's payload: text checked as it comes, the message assembled and delivered at its end. */
  private framePayload(data: Buffer, last: boolean): void {
    const reader = this.reader;
    if (reader.opcode >= Opcode.Close || this.messageCompressed) {
      if (!last) {
        this.frameParts.push(data);
        return;
      }
      const parts = this.frameParts;
      let payload = data;
      if (parts.length > 0) {
        parts.push(data);
        payload = Buffer.concat(parts);
        this.frameParts = [];
      }
      if (reader.opcode >= Opcode.Close) this.control(reader.opcode, payload);
      else this.inflate(payload, reader.fin);
      return;
    }
    const final = last && reader.fin;
    const parts = this.parts;
    if (this.messageOpcode === Opcode.Text) {
      if (final && parts.length === 0) {
        // A whole message in one piece (the usual case): one native check.
        if (!isUtf8(data)) return this.fail(CloseCode.InvalidPayload, NOT_UTF8);
        return this.deliver(Opcode.Text, data);
      }
      if (!this.text.write(data)) return this.fail(CloseCode.InvalidPayload, NOT_UTF8);
      if (final && !this.text.end()) return this.fail(CloseCode.InvalidPayload, NOT_UTF8);
    }
    if (data.length > 0) parts.push(data);
    if (!final) return;
    const message =
      parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.messageLength);
    parts.length = 0;
    this.deliver(this.messageOpcode, message);
  }

  /** Inflates a compressed message's frame; frames after it wait, so messages are delivered in order. */
  private inflate(payload: Buffer, fin: boolean): void {
    const reader = this.reader;
    reader.pause();
    const opcode = this.messageOpcode;
    this.deflate!.decompress(payload, fin, (err, out) => {
      if (this.state === CLOSED) return;
      if (err !== null) {
        const code = err instanceof DeflateTooLargeError ? CloseCode.MessageTooBig : CloseCode.InvalidPayload;
        return this.fail(code, err.message, err);
      }
      if (fin) {
        const message = out ?? EMPTY;
        if (opcode === Opcode.Text && !isUtf8(message)) {
          return this.fail(CloseCode.InvalidPayload, NOT_UTF8);
        }
        this.deliver(opcode, message);
      }
      reader.resume();
    });
  }

  private deliver(opcode: number, message: Buffer): void {
    if (this.state !== OPEN) return;
    let data: string | ArrayBuffer | Buffer | Blob;
    if (opcode === Opcode.Text) data = message.toString('utf8');
    else if (this.binaryType === 'nodebuffer') data = message;
    else if (this.binaryType === 'arraybuffer') data = toArrayBuffer(message);
    else data = new Blob([message]);
    this.emit('message', this.onmessage, { type: 'message', data, target: this });
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Ping) {
      if (this.state === OPEN) this.writeFrame(FIN | Opcode.Pong, payload);
    } else if (opcode === Opcode.Close) {
      const close = parseClosePayload(payload);
      if (typeof close === 'number') {
        const why = close === CloseCode.InvalidPayload ? 'close reason is not UTF-8' : 'invalid close frame';
        return this.fail(close, why);
      }
      this.closeReceived = true;
      this.peerClose = close;
      this.reader.stop(); // RFC 6455 §5.5.1: nothing after a close frame is data
      this.dropPending();
      if (!this.closeSent) this.writeClose(close.code, ''); // the echo
      this.state = CLOSING;
      this.endSocket();
    }
  }

  // ---- closing ----

  private startClose(code: number, reason: string): void {
    this.state = CLOSING;
    this.closeSent = true;
    const payload = closePayload(code, reason);
    if (this.pending !== null) this.enqueue(FIN | Opcode.Close, payload, payload.length, false);
    else this.writeFrame(FIN | Opcode.Close, payload);
    this.armCloseTimer();
  }

  /** The peer broke the protocol: close with `code` at once, end the connection, report the error. */
  private fail(code: number, message: string, cause?: Error): void {
    if (this.state === CLOSED) return;
    const error = new WebSocketProtocolError(code, message, cause === undefined ? undefined : { cause });
    this.failConnection(code, message.length <= MAX_CLOSE_REASON_BYTES ? message : '');
    this.emit('error', this.onerror, { type: 'error', error, message, target: this });
  }

  /** Closes with `code` now, not waiting for queued messages, and ends the TCP connection (server first). */
  private failConnection(code: number, reason: string): void {
    if (this.state === CLOSED) return;
    this.reader.stop();
    this.dropPending();
    this.state = CLOSING;
    if (!this.closeSent) this.writeClose(code, reason);
    this.endSocket();
  }

  private writeClose(code: number, reason: string): void {
    this.closeSent = true;
    this.writeFrame(FIN | Opcode.Close, closePayload(code, reason));
  }

  /** RFC 6455 §7.1.1: after the closing handshake the server closes the TCP connection first. */
  private endSocket(): void {
    this.armCloseTimer();
    if (this.ended) return;
    this.ended = true;
    this.socket.end();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null || this.state === CLOSED) return;
    this.closeTimer = setTimeout(WebSocket.closeTimedOut, this.closeTimeout, this);
    this.closeTimer.unref();
  }

  private static closeTimedOut(this: void, ws: WebSocket): void {
    ws.socket.destroy();
  }

  private peerEnded(): void {
    // The peer ended its side: with its close frame (the handshake is done) or without (abnormal, 1006).
    this.reader.stop();
    if (this.state === OPEN) this.state = CLOSING;
    this.endSocket();
  }

  private socketFailed(error: Error): void {
    if (this.state === CLOSED || (this.closeSent && this.closeReceived)) return;
    this.state = CLOSING;
    this.emit('error', this.onerror, { type: 'error', error, message: error.message, target: this });
  }

  private socketClosed(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.reader.stop();
    this.dropPending();
    this.deflate?.close();
    const received = this.closeReceived;
    this.emit('close', this.onclose, {
      type: 'close',
      code: received ? this.peerClose.code : CloseCode.Abnormal,
      reason: received ? this.peerClose.reason : '',
      wasClean: received && this.closeSent,
      target: this,
    });
  }

  // ---- idle ----

  private armIdle(delay: number): void {
    this.idleTimer = setTimeout(WebSocket.idleTimedOut, delay, this);
    this.idleTimer.unref();
  }

  /** No frame for `idleTimeout`: ping; no frame for another `idleTimeout` after the ping: close with 1001. */
  private static idleTimedOut(this: void, ws: WebSocket): void {
    ws.idle();
  }

  private idle(): void {
    this.idleTimer = null;
    if (this.state !== OPEN) return;
    const now = Date.now();
    const quiet = now - this.lastActivity;
    if (quiet < this.idleTimeout) return this.armIdle(this.idleTimeout - quiet);
    // A frame in the very millisecond of the ping came after it (the ping only goes after a quiet
    // idleTimeout), so equal times count as answered: a pong on fast loopback can arrive within that ms.
    if (this.idlePingAt <= this.lastActivity) {
      this.idlePingAt = now;
      this.writeFrame(FIN | Opcode.Ping, EMPTY);
      return this.armIdle(this.idleTimeout);
    }
    this.failConnection(CloseCode.GoingAway, 'idle timeout');
  }

  // ---- writing ----

  private writeFrame(first: number, payload: Buffer): void {
    const length = payload.length;
    const socket = this.socket;
    if (length <= COPY_MAX) {
      const frame = Buffer.allocUnsafe(frameHeaderSize(length) + length);
      payload.copy(frame, writeFrameHeader(frame, 0, first, length));
      socket.write(frame);
      return;
    }
    socket.cork();
    socket.write(frameHeader(first, length));
    socket.write(payload);
    socket.uncork();
  }

  /** A text message straight into its frame, with no Buffer of its own in between. */
  private writeText(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    if (length > COPY_MAX) return this.writeFrame(FIN | Opcode.Text, Buffer.from(text, 'utf8'));
    const frame = Buffer.allocUnsafe(frameHeaderSize(length) + length);
    frame.write(text, writeFrameHeader(frame, 0, FIN | Opcode.Text, length), 'utf8');
    this.socket.write(frame);
  }

  private sendMessage(opcode: number, data: Buffer): void {
    const compress = this.deflate !== null && this.deflate.shouldCompress(data.length);
    if (this.pending === null && !compress) return this.writeFrame(FIN | opcode, data);
    this.enqueue(FIN | opcode, data, data.length, compress);
    this.pump();
  }

  private sendBlob(blob: Blob): void {
    const frame = this.enqueue(FIN | Opcode.Binary, null, blob.size, false);
    blob.arrayBuffer().then(
      (bytes) => {
        if (frame.dropped) return;
        const data = Buffer.from(bytes);
        frame.data = data;
        frame.compress = this.deflate !== null && this.deflate.shouldCompress(data.length);
        if (!frame.compress) frame.payload = data;
        this.pump();
      },
      (err: unknown) => {
        if (frame.dropped) return;
        this.reportError(err);
        this.failConnection(CloseCode.InternalError, '');
      },
    );
  }

  private enqueue(first: number, data: Buffer | null, size: number, compress: boolean): PendingFrame {
    const frame: PendingFrame = {
      first,
      data,
      payload: data !== null && !compress ? data : null,
      compress,
      submitted: false,
      size,
      dropped: false,
    };
    (this.pending ??= []).push(frame);
    this.pendingBytes += size;
    return frame;
  }

  /**
   * Starts the compressions whose turn it is and writes the frames ready at the head of the queue. A
   * compression starts only once every message before it has its bytes: the codec keeps its context from
   * one message to the next, so messages are compressed in the order they go out.
   */
  private pump(): void {
    const pending = this.pending;
    if (pending === null) return;
    for (const frame of pending) {
      if (frame.data === null) break;
      if (!frame.compress || frame.submitted) continue;
      frame.submitted = true;
      this.deflate!.compress(frame.data, true, (err, out) => {
        if (frame.dropped) return;
        if (err !== null || out === undefined) {
          this.reportError(err ?? new Error('compression gave no output'));
          return this.failConnection(CloseCode.InternalError, '');
        }
        frame.first |= RSV1;
        frame.payload = out;
        this.pump();
      });
    }
    let i = 0;
    for (; i < pending.length && pending[i]!.payload !== null; i++) {
      const frame = pending[i]!;
      this.pendingBytes -= frame.size;
      this.writeFrame(frame.first, frame.payload!);
    }
    if (i === pending.length) this.pending = null;
    else if (i > 0) pending.splice(0, i);
    if (this.needDrain) this.watchDrain();
  }

  /** Gives up on queued messages (the connection is failing or the peer closed); a queued close frame still goes. */
  private dropPending(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    this.pendingBytes = 0;
    for (const frame of pending) {
      frame.dropped = true;
      if ((frame.first & 0x0f) === Opcode.Close && this.state !== CLOSED) {
        this.writeFrame(frame.first, frame.payload!);
      }
    }
  }

  /**
   * After `send()` returned false: make sure a 'drain' comes once everything is taken. The socket emits its
   * own 'drain' only when one of its writes returned false; otherwise an empty write's callback marks the
   * moment the bytes before it are gone.
   */
  private watchDrain(): void {
    if (this.pending !== null) return; // the queue calls again once it empties
    if (this.socket.writableLength === 0) return this.drained();
    if (!this.socket.writableNeedDrain) this.socket.write(EMPTY, () => this.drained());
  }

  private drained(): void {
    if (!this.needDrain || this.state !== OPEN || this.bufferedAmount > 0) return;
    this.needDrain = false;
    this.emit('drain', this.ondrain, { type: 'drain', target: this });
  }

  // ---- events ----

  private emit<K extends keyof WebSocketEventMap>(
    type: K,
    handler: WebSocketHandler<WebSocketEventMap[K]>,
    event: WebSocketEventMap[K],
  ): void {
    try {
      if (handler !== null) handler.call(this, event);
      this.listeners.dispatch(type, event);
    } catch (err) {
      // A listener's bug: reported like a handler's exception; the peer is told with 1011 (internal error).
      this.reportError(err);
      if (this.state === OPEN) this.failConnection(CloseCode.InternalError, '');
    }
  }

  private stateError(what: string): WebSocketStateError {
    const state = this.state === CONNECTING ? 'not open yet' : 'closing or closed';
    return new WebSocketStateError(`WebSocket.${what}(): the socket is ${state}`);
  }
}

Object.assign(WebSocket.prototype, { CONNECTING, OPEN, CLOSING, CLOSED });

function toBuffer(data: ArrayBufferView | ArrayBuffer): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/** The message as an ArrayBuffer of its own length: the chunk's own buffer when it spans it, else a copy. */
function toArrayBuffer(message: Buffer): ArrayBuffer {
  const buffer = message.buffer as ArrayBuffer;
  if (message.byteOffset === 0 && message.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(message.byteOffset, message.byteOffset + message.byteLength);
}

import type net from 'node:net';
import { Connection, type ConnectionSettings, type RequestSink } from '../connection/connection.js';
import { ProxyHeaderParser, type ProxyHeader } from '../protocol/proxy-header.js';

/**
 * A fresh connection whose PROXY header is still arriving (`proxyProtocol`). Once the header is complete, the
 * bytes after it are put back on the socket, which is left paused for the HTTP (or TLS) side to take over;
 * a malformed header, or none by `deadline`, destroys the socket: no HTTP answer, as haproxy and nginx do.
 */
export class PendingProxyHeader {
  private readonly parser = new ProxyHeaderParser();
  private received = false;

  /**
   * `done` is called once: with the header, with the error that refused the connection, or with null when
   * the peer left before sending a byte (a TCP health check: nothing worth a log line).
   */
  constructor(
    readonly socket: net.Socket,
    /** Monotonic time (ms) by which the header must be complete; 0 for no limit. */
    readonly deadline: number,
    private readonly done: (result: ProxyHeader | Error | null) => void,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onGone);
    socket.on('close', this.onGone);
    // Errors (ECONNRESET) end in 'close'; the listener stays, so one between the hand-over and the next
    // owner's own listener cannot throw.
    socket.on('error', () => {});
  }

  /** Called by the server's sweep when `deadline` has passed. */
  timedOut(): void {
    this.fail(new Error('no PROXY header within the headers timeout'));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received = true;
    let parsed;
    try {
      parsed = this.parser.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (parsed === null) return;
    this.detach();
    this.socket.pause();
    if (parsed.rest.length > 0) this.socket.unshift(parsed.rest);
    this.done(parsed.header);
  };

  private readonly onGone = (): void => {
    this.fail(this.received ? new Error('closed in the middle of its PROXY header') : null);
  };

  private fail(err: Error | null): void {
    this.detach();
    this.socket.destroy();
    this.done(err);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onGone);
    this.socket.off('close', this.onGone);
  }
}

/** A connection whose client is the one a PROXY header named, not the proxy at the other end of the socket. */
export class ProxiedConnection extends Connection {
  constructor(
    socket: net.Socket,
    sink: RequestSink,
    options: ConnectionSettings,
    now: () => number,
    private readonly client: readonly [host: string, port: number],
  ) {
    super(socket, sink, options, now);
  }

  override get peer(): readonly [host: string, port: number] {
    return this.client;
  }
}

/** The socket's remote endpoint as a key: the same for a TCP socket and the TLS socket made on top of it. */
export function endpointKey(socket: net.Socket): string {
  return `${socket.remoteAddress} ${socket.remotePort}`;
}

import net, { type BlockList } from 'node:net';
import { Connection, type ConnectionSettings, type RequestSink } from '../connection/connection.js';
import { ProxyHeaderError, ProxyHeaderParser, type ProxyHeader } from '../protocol/proxy-header.js';
import type { ClientAddress } from './http-server.js';
import { unmappedAddress } from '../connection/peer-address.js';
import { isTrusted } from './trust-proxy.js';

/**
 * `proxyProtocol`: the header comes before anything else, TLS included, so a plain listener of its own reads
 * it off every new connection from a trusted proxy, then hands the socket to the server's real listener
 * (HTTP or TLS), which never listens itself. The client the header named is kept, by the socket's endpoint,
 * until the server makes the connection for that socket.
 */
export class ProxyProtocolReceiver {
  /** The listener that binds: it reads headers, then hands sockets on. */
  readonly listener: net.Server;
  /** Connections whose header is still on its way. */
  private readonly pending = new Set<PendingProxyHeader>();
  /** The client a header named, by peer endpoint, until its connection is made. */
  private readonly clients = new Map<string, ClientAddress>();

  constructor(
    private readonly trusted: BlockList,
    /** Time allowed for the header, ms; 0 for no limit (the server's `headersTimeout`). */
    private readonly headersTimeout: number,
    /** The server's real listener, HTTP or TLS. */
    next: net.Server,
    private readonly log: (line: string) => void,
    /** Called when a header settles without a connection being handed on (the server may be draining). */
    private readonly dropped: () => void,
  ) {
    this.listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      this.readHeader(socket, next),
    );
  }

  /** How many connections are still sending their header; a draining server waits for them too. */
  get waiting(): number {
    return this.pending.size;
  }

  private readHeader(socket: net.Socket, next: net.Server): void {
    const peer = unmappedAddress(socket.remoteAddress ?? '');
    if (!isTrusted(this.trusted, peer)) {
      this.log(`PROXY header from ${peer} refused: not a trusted proxy\n`);
      socket.destroy();
      return;
    }
    const timeout = this.headersTimeout;
    const pending: PendingProxyHeader = new PendingProxyHeader(
      socket,
      timeout > 0 ? Date.now() + timeout : 0,
      (header) => {
        this.pending.delete(pending);
        if (header instanceof Error) this.log(`PROXY header from ${peer} refused: ${header.message}\n`);
        if (header === null || header instanceof Error) {
          this.dropped();
          return;
        }
        // LOCAL and UNKNOWN name no client: the proxy itself is the peer.
        if (header.source !== null) {
          const key = endpointKey(socket);
          this.clients.set(key, [unmappedAddress(header.source.address), header.source.port]);
          socket.once('close', () => this.clients.delete(key));
        }
        next.emit('connection', socket);
      },
    );
    this.pending.add(pending);
  }

  /** The connection for a socket handed on, with the client its header named. */
  connectionFor(socket: net.Socket, sink: RequestSink, options: ConnectionSettings): Connection {
    const key = endpointKey(socket);
    const client = this.clients.get(key);
    let connection: Connection;
    if (client === undefined) {
      connection = new Connection(socket, sink, options, Date.now);
    } else {
      this.clients.delete(key);
      connection = new ProxiedConnection(socket, sink, options, Date.now, client);
    }
    socket.resume(); // a plain socket was left paused, with the bytes after the header put back
    return connection;
  }

  /** Closes the connections whose header is overdue (called by the server's sweep). */
  sweep(now: number): void {
    for (const pending of this.pending)
      if (pending.deadline !== 0 && now >= pending.deadline) pending.timedOut();
  }

  /** Closes every connection whose header is still on its way (the end of a shutdown). */
  destroyPending(): void {
    for (const pending of this.pending) pending.socket.destroy();
  }
}

/**
 * A fresh connection whose PROXY header is still arriving (`proxyProtocol`). Once the header is complete, the
 * bytes after it are put back on the socket, which is left paused for the HTTP (or TLS) side to take over;
 * a malformed header, or none by `deadline`, destroys the socket: no HTTP answer, as haproxy and nginx do.
 */
class PendingProxyHeader {
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
    this.fail(new ProxyHeaderError('no PROXY header within the headers timeout'));
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
    this.fail(this.received ? new ProxyHeaderError('closed in the middle of its PROXY header') : null);
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
class ProxiedConnection extends Connection {
  constructor(
    socket: net.Socket,
    sink: RequestSink,
    options: ConnectionSettings,
    now: () => number,
    private readonly client: ClientAddress,
  ) {
    super(socket, sink, options, now);
  }

  override get peer(): ClientAddress {
    return this.client;
  }
}

/** The socket's remote endpoint as a key: the same for a TCP socket and the TLS socket made on top of it. */
function endpointKey(socket: net.Socket): string {
  return `${socket.remoteAddress} ${socket.remotePort}`;
}

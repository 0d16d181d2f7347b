import net from 'node:net';
import tls from 'node:tls';

/** TLS settings of a client connection. Certificates are verified unless `rejectUnauthorized` is false. */
export interface TLSOptions {
  /** Trusted CA certificates (PEM) instead of Node's bundled roots, e.g. a self-signed test CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Verify the server's certificate and name. Default true; false is `basehttp get -k`. */
  rejectUnauthorized?: boolean;
  /** The name sent for SNI and checked against the certificate; defaults to the host unless it is an IP. */
  servername?: string;
}

/** Where a socket goes: a host and port over TCP, or a Unix socket's path (the host still names the server). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** A Unix domain socket to connect to instead of host:port. */
  readonly socketPath?: string | undefined;
}

/** node:tls's options for the origin `host`: ALPN `http/1.1`, SNI for names, verification on by default. */
function tlsSettings(host: string, tlsOptions: TLSOptions): tls.ConnectionOptions {
  const { ca, rejectUnauthorized = true, servername } = tlsOptions;
  return {
    ca,
    rejectUnauthorized,
    servername: servername ?? (net.isIP(host) === 0 ? host : undefined),
    ALPNProtocols: ['http/1.1'],
  };
}

/**
 * Opens a socket to `endpoint` (TCP, or its Unix socket), wrapped in TLS for the endpoint's host when
 * `tlsOptions` is given. Nagle is off: a request head is one write that should leave at once. Bytes arrive
 * through `onread` (into the caller's buffer, no stream machinery), not 'data' events.
 */
export function dial(endpoint: Endpoint, tlsOptions: TLSOptions | null, onread: net.OnReadOpts): net.Socket {
  const { host, port, socketPath } = endpoint;
  const where = socketPath === undefined ? { host, port } : { path: socketPath };
  if (tlsOptions === null) return net.connect({ ...where, noDelay: true, onread });
  // `onread` is not in @types/node's TLS options, but passed through to the socket like net.connect's.
  const socket = tls.connect({ ...where, ...tlsSettings(host, tlsOptions), ...({ onread } as object) });
  socket.setNoDelay(true);
  return socket;
}

/**
 * TLS to the origin `host` over a socket already connected (a proxy's CONNECT tunnel): the certificate is
 * checked against the origin's name, not the proxy's. node:tls ignores `onread` over a given socket, so its
 * 'data' events are handed to `onread`'s callback (each chunk is a buffer of its own). An error of the socket
 * below ends the TLS one.
 */
export function secureOver(
  socket: net.Socket,
  host: string,
  tlsOptions: TLSOptions,
  onread: net.OnReadOpts,
): tls.TLSSocket {
  const secure = tls.connect({ socket, ...tlsSettings(host, tlsOptions) });
  secure.on('data', (chunk: Buffer) => onread.callback(chunk.length, chunk));
  socket.on('error', (err) => secure.destroy(err));
  return secure;
}

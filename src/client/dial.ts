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

/**
 * Opens a TCP socket to `host`:`port`, wrapped in TLS (ALPN `http/1.1`, SNI for names, verification on by
 * default) when `tlsOptions` is given. Nagle is off: a request head is one write that should leave at once.
 * Bytes arrive through `onread` (into the caller's buffer, no stream machinery), not 'data' events.
 */
export function dial(
  host: string,
  port: number,
  tlsOptions: TLSOptions | null,
  onread: net.OnReadOpts,
): net.Socket {
  if (tlsOptions === null) return net.connect({ host, port, noDelay: true, onread });
  const { ca, rejectUnauthorized = true, servername } = tlsOptions;
  const socket = tls.connect({
    host,
    port,
    ca,
    rejectUnauthorized,
    servername: servername ?? (net.isIP(host) === 0 ? host : undefined),
    ALPNProtocols: ['http/1.1'],
    // Not in @types/node's TLS options, but passed through to the socket like net.connect's.
    ...({ onread } as object),
  });
  socket.setNoDelay(true);
  return socket;
}

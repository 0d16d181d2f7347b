import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { HTTPConnection, type ConnectionOptions } from './connection.js';

/** TLS settings of a client connection. Certificates are verified unless `rejectUnauthorized` is false. */
export interface TLSOptions {
  /** Trusted CA certificates (PEM) instead of Node's bundled roots, e.g. a self-signed test CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Verify the server's certificate and name. Default true; false is `basehttp get -k`. */
  rejectUnauthorized?: boolean;
  /** The name sent for SNI and checked against the certificate; defaults to the host unless it is an IP. */
  servername?: string;
}

/** Python's `HTTPSConnection`: HTTPConnection over node:tls, ALPN `http/1.1`, verification on by default. */
export class HTTPSConnection extends HTTPConnection {
  private readonly tlsOptions: TLSOptions;

  constructor(host: string, port = 443, options: ConnectionOptions & TLSOptions = {}) {
    super(host, port, options);
    this.tlsOptions = options;
  }

  protected override get defaultPort(): number {
    return 443;
  }

  protected override openSocket(): Socket {
    const { ca, rejectUnauthorized = true, servername } = this.tlsOptions;
    return tls.connect({
      host: this.host,
      port: this.port,
      ca,
      rejectUnauthorized,
      servername: servername ?? (isIP(this.host) === 0 ? this.host : undefined),
      ALPNProtocols: ['http/1.1'],
    });
  }
}

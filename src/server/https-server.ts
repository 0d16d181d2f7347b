import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { HTTPServer, type HandlerClass, type ServerAddress, type ServerOptions } from './http-server.js';

/** Certificate and key for an HTTPS server, as Python 3.14's `HTTPSServer(certfile, keyfile, password)`. */
export interface TLSServerOptions {
  /** PEM certificate chain file (it may hold the key too, as in Python). */
  certfile: string;
  /** PEM private key file; omitted when `certfile` holds the key. */
  keyfile?: string;
  /** Passphrase of an encrypted key. */
  password?: string;
  /** ALPN protocols offered. Default `['http/1.1']`. */
  alpnProtocols?: string[];
  /** Time allowed for the TLS handshake, in ms. Default 10 s. */
  handshakeTimeout?: number;
}

/**
 * HTTPServer over node:tls: the same engine (keep-alive, pipelining, timeouts) on TLS sockets. A client that
 * speaks plain HTTP to the TLS port, or stalls its handshake, is closed without taking anything down. The
 * certificate and key are read and checked at construction, so a wrong password fails at once.
 */
export class HTTPSServer extends HTTPServer {
  constructor(address: ServerAddress, Handler: HandlerClass, options: ServerOptions & TLSServerOptions) {
    super(address, Handler, options);
  }

  protected override createListener(onConnection: (socket: net.Socket) => void): net.Server {
    const o = this.options as ServerOptions & TLSServerOptions;
    const cert = readFileSync(o.certfile);
    const server = tls.createServer(
      {
        cert,
        key: o.keyfile === undefined ? cert : readFileSync(o.keyfile),
        passphrase: o.password,
        ALPNProtocols: o.alpnProtocols ?? ['http/1.1'],
        handshakeTimeout: o.handshakeTimeout ?? 10_000,
        allowHalfOpen: true,
      },
      onConnection,
    );
    // Failed handshakes (plain HTTP on this port, scanners, timeouts) only close their socket.
    server.on('tlsClientError', (_err, socket) => socket.destroy());
    return server;
  }
}

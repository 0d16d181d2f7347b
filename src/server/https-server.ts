import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { TLSCredentialsError } from './errors.js';
import { HTTPServer, type HandlerClass, type ServerAddress, type ServerOptions } from './http-server.js';

/** Certificate and key for an HTTPS server, as Python 3.14's `HTTPSServer(certfile, keyfile, password)`. */
export interface TLSServerOptions {
  /** PEM certificate chain file (it may hold the key too, as in Python), or the PEM text itself. */
  certfile: string;
  /** PEM private key file (or the PEM text); omitted when `certfile` holds the key. */
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
 * certificate and key are read and checked at construction, so a wrong password fails at once, with an error
 * that names the file and says what is wrong with it.
 */
export class HTTPSServer extends HTTPServer {
  constructor(address: ServerAddress, Handler: HandlerClass, options: ServerOptions & TLSServerOptions) {
    super(address, Handler, options);
  }

  protected override createListener(onConnection: (socket: net.Socket) => void): net.Server {
    const tlsOptions = this.options as ServerOptions & TLSServerOptions;
    // Half-open only once secure: a client that closes mid-handshake on a half-open socket gets no
    // 'tlsClientError', so its socket sat in CLOSE_WAIT until the handshake timeout and kept shutdown()
    // waiting. A TLS socket takes the setting of the socket it wraps, hence the raw socket's too (that
    // covers one handed over by the PROXY-protocol reader).
    const server = tls.createServer(
      {
        ...credentials(tlsOptions),
        ALPNProtocols: tlsOptions.alpnProtocols ?? ['http/1.1'],
        handshakeTimeout: tlsOptions.handshakeTimeout ?? 10_000,
        allowHalfOpen: false,
      },
      (socket) => {
        socket.allowHalfOpen = true; // requests sent before a half-close are still answered
        onConnection(socket);
      },
    );
    server.prependListener('connection', (raw: net.Socket) => {
      raw.allowHalfOpen = false;
    });
    // Failed handshakes (plain HTTP on this port, scanners, timeouts) only close their socket.
    server.on('tlsClientError', (_err, socket) => socket.destroy());
    return server;
  }
}

/** A PEM private key marked as encrypted: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or the legacy `Proc-Type` header. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED\r?$/m;

/** Reads the certificate and key and checks each, and that they belong together. */
function credentials(o: TLSServerOptions): { cert: Buffer; key: Buffer; passphrase?: string } {
  const cert = readPem(o.certfile, 'certificate');
  const keyfile = o.keyfile ?? o.certfile;
  const key = o.keyfile === undefined ? cert : readPem(o.keyfile, 'key');
  const passphrase = o.password;
  const notFound = (code: string): boolean =>
    code === 'ERR_OSSL_PEM_NO_START_LINE' || code === 'ERR_OSSL_UNSUPPORTED';
  check({ cert }, (code) => (notFound(code) ? `no PEM certificate in ${o.certfile}` : null));
  const encrypted = ENCRYPTED_KEY.test(key.toString('latin1'));
  check({ key, passphrase }, (code) => {
    // A wrong or missing password is BAD_DECRYPT, or "interrupted or cancelled" for one over OpenSSL's length
    // limit. About once in 250 keys a wrong password still decrypts to valid padding and the decoding then
    // fails as UNSUPPORTED, so an encrypted key is judged by its own PEM marking, not by the code.
    if (encrypted || code === 'ERR_OSSL_BAD_DECRYPT' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED')
      return passphrase === undefined
        ? `the key in ${keyfile} is encrypted: give its password`
        : `wrong password for the key in ${keyfile}`;
    return notFound(code) ? `no PEM private key in ${keyfile}` : null;
  });
  check({ cert, key, passphrase }, (code) =>
    code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
      ? `the key in ${keyfile} does not belong to the certificate in ${o.certfile}`
      : null,
  );
  return { cert, key, passphrase };
}

/** Builds a context from `options`; an OpenSSL error becomes the message `explain` gives (or its reason). */
function check(options: tls.SecureContextOptions, explain: (code: string) => string | null): void {
  try {
    tls.createSecureContext(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TLSCredentialsError(explain(e.code ?? '') ?? e.message.replace(/^error:[0-9A-F]+:[^:]*::/, ''));
  }
}

/** A file's PEM, or the PEM itself when given as text (as Node's `tls` takes it). */
function readPem(file: string, what: string): Buffer {
  if (file.includes('-----BEGIN ')) return Buffer.from(file);
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EACCES'
          ? 'permission denied'
          : e.code === 'EISDIR'
            ? 'it is a directory'
            : e.message;
    throw new TLSCredentialsError(`cannot read the ${what} file ${file}: ${why}`);
  }
}

import { HTTPConnection, type ConnectionOptions } from './connection.js';
import type { TLSOptions } from './dial.js';

export type { TLSOptions } from './dial.js';

/** Python's `HTTPSConnection`: HTTPConnection over node:tls, ALPN `http/1.1`, verification on by default. */
export class HTTPSConnection extends HTTPConnection {
  private readonly tls: TLSOptions;

  constructor(host: string, port = 443, options: ConnectionOptions & TLSOptions = {}) {
    super(host, port, options);
    this.tls = {
      ca: options.ca,
      rejectUnauthorized: options.rejectUnauthorized,
      servername: options.servername,
    };
  }

  protected override get defaultPort(): number {
    return 443;
  }

  protected override get tlsOptions(): TLSOptions {
    return this.tls;
  }
}

import { KEYBOARD_INTERRUPT_LINE, servingBanner } from './banner.js';
import { HTTPServer, type HandlerClass, type ServerOptions } from './http-server.js';
import { HTTPSServer, type TLSServerOptions } from './https-server.js';

/** Where `runServer` listens, with the server's own options. */
export interface RunServerOptions extends ServerOptions {
  /** Default 8000, as Python's. */
  port?: number;
  /** The address to bind; default '' (every address, IPv6 and IPv4), as Python's. */
  bind?: string;
  /** Serve HTTPS with this certificate and key (Python: passing an HTTPS server class to `test()`). */
  tls?: TLSServerOptions;
}

/**
 * Python's `http.server.test()`: binds, prints Python's banner, serves until Ctrl-C (SIGINT) or SIGTERM,
 * then prints `Keyboard interrupt received, exiting.` (for Ctrl-C), shuts down gracefully (requests in
 * flight finish, within `shutdownTimeout`) and resolves. Rejects with the bind error (EADDRINUSE, …).
 * Not named `test`, which reads as a test-runner helper next to `node:test`.
 */
export async function runServer(Handler: HandlerClass, options: RunServerOptions = {}): Promise<void> {
  const { port = 8000, bind = '', tls, ...serverOptions } = options;
  const address = { host: bind, port };
  const server =
    tls === undefined
      ? new HTTPServer(address, Handler, serverOptions)
      : new HTTPSServer(address, Handler, { ...serverOptions, ...tls });
  await server.listen();
  const onInterrupt = (): void => {
    process.stdout.write(KEYBOARD_INTERRUPT_LINE);
    void server.shutdown();
  };
  const onTerminate = (): void => void server.shutdown();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onTerminate);
  // Only now: a Ctrl-C that follows the banner at once must find the handler in place.
  const [host, boundPort] = server.serverAddress;
  process.stdout.write(servingBanner(tls === undefined ? 'http' : 'https', host, boundPort));
  try {
    await server.serveForever();
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}

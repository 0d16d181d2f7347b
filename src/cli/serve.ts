import { readFileSync, statSync } from 'node:fs';
import { SimpleHTTPRequestHandler } from '../handlers/static/simple-handler.js';
import { HTTPServer, type HandlerClass } from '../server/http-server.js';
import { HTTPSServer } from '../server/https-server.js';
import type { ServeArgs } from './serve-args.js';

/** How the banner shows a bound address: IPv6 in brackets inside URLs, as Python. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Runs the directory server until SIGINT or SIGTERM, then shuts down gracefully. Returns the exit status:
 * 0 after a clean stop, 1 when the server cannot start (port in use, missing directory).
 */
export async function serve(args: ServeArgs): Promise<number> {
  const directory = args.options.directory!;
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`basehttp: not a directory: ${directory}\n`);
    return 1;
  }
  const Handler = class extends SimpleHTTPRequestHandler.with(args.options) {
    override protocolVersion = args.protocol;
  };
  let server: HTTPServer;
  try {
    server = makeServer(args, Handler);
  } catch (err) {
    process.stderr.write(`basehttp: cannot use the TLS certificate or key: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    await server.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = `${args.bind === '' ? 'all interfaces' : args.bind} port ${args.port}`;
    const why =
      e.code === 'EADDRINUSE'
        ? 'address already in use'
        : e.code === 'EACCES'
          ? 'permission denied'
          : e.message;
    process.stderr.write(`basehttp: cannot listen on ${where}: ${why}\n`);
    return 1;
  }
  const [host, port] = server.serverAddress;
  const scheme = args.tls === null ? 'http' : 'https';
  process.stdout.write(
    `Serving ${scheme.toUpperCase()} on ${host} port ${port} (${scheme}://${urlHost(host)}:${port}/) ...\n`,
  );
  const local = host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
  process.stdout.write(`Local: ${scheme}://${urlHost(local)}:${port}/\n`);
  const stop = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT') process.stdout.write('\nKeyboard interrupt received, exiting.\n');
    void server.shutdown(5000);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever();
  return 0;
}

/** HTTP, or HTTPS when a certificate was given (the key's password read from its file, newline dropped). */
function makeServer(args: ServeArgs, Handler: HandlerClass): HTTPServer {
  const address = { host: args.bind, port: args.port };
  if (args.tls === null) return new HTTPServer(address, Handler);
  const { certfile, keyfile, passwordFile } = args.tls;
  const password =
    passwordFile === undefined ? undefined : readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
  return new HTTPSServer(address, Handler, { certfile, keyfile, password });
}

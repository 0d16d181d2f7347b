import cluster from 'node:cluster';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SHUTDOWN_MESSAGE } from '../cluster/primary.js';
import { CGIHTTPRequestHandler } from '../handlers/cgi/cgi-handler.js';
import { withProxy } from '../handlers/proxy/proxy-handler.js';
import { SimpleHTTPRequestHandler } from '../handlers/static/simple-handler.js';
import { KEYBOARD_INTERRUPT_LINE, servingBanner, unixSocketBanner } from '../server/banner.js';
import { HTTPServer, type HandlerClass } from '../server/http-server.js';
import { HTTPSServer } from '../server/https-server.js';
import { BaseHTTPRequestHandler } from '../server/request-handler.js';
import type { AppToServe } from './app-module.js';
import { lanAddresses } from './lan-addresses.js';
import { openBrowser } from './open-browser.js';
import { trustLine } from './self-signed/trust-line.js';
import type { ServeArgs } from './serve-args.js';

/** How the banner shows a bound address: IPv6 in brackets inside URLs, as Python. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Runs the directory server until SIGINT or SIGTERM, then shuts down gracefully. Returns the exit status:
 * 0 after a clean stop, 1 when the server cannot start (port in use, missing directory).
 */
export async function serve(args: ServeArgs, app: AppToServe | null): Promise<number> {
  const server = buildServer(args, app);
  if (server === null) return 1;
  try {
    await server.listen();
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const where =
      args.socketPath === undefined
        ? `${args.bind === '' ? 'all interfaces' : args.bind} port ${args.port}`
        : `the Unix socket ${args.socketPath}`;
    const why =
      code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : message;
    process.stderr.write(`basehttp: cannot listen on ${where}: ${why}\n`);
    return 1;
  }
  const [host, port] = server.serverAddress;
  const worker = cluster.isWorker ? cluster.worker!.id : null;
  const stop = (signal: NodeJS.Signals | 'primary'): void => {
    // Under a cluster the primary speaks for everyone; a worker only drains.
    if (signal === 'SIGINT' && worker === null) process.stdout.write(KEYBOARD_INTERRUPT_LINE);
    void server.shutdown(args.shutdownTimeout);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (worker !== null) {
    process.on('message', (message) => message === SHUTDOWN_MESSAGE && stop('primary'));
    process.on('SIGHUP', () => {}); // reloads are the primary's business: a hangup must not kill workers
  }
  // Only now: a Ctrl-C that follows the banner at once must find the handler in place.
  if (worker === null) printBanner(args, host, port);
  await server.serveForever();
  return 0;
}

/**
 * The server the arguments ask for, not yet listening: the Fetch-API `app` when given (`--app`), else the
 * directory server; or null, after one error line, when it cannot be made (missing directory, unusable
 * certificate or key). The cluster's primary calls this too, so such a mistake is said once rather than by
 * every worker.
 */
export function buildServer(args: ServeArgs, app: AppToServe | null): HTTPServer | null {
  if (app !== null) return withCredentials(() => makeServer(args, app));
  const directory = args.options.directory!;
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`basehttp: not a directory: ${directory}\n`);
    return null;
  }
  const Base = args.cgi ? CGIHTTPRequestHandler : SimpleHTTPRequestHandler;
  const Files = Base.with(args.options);
  const Served = args.proxy === null ? Files : proxied(Files, args.proxy);
  if (Served === null) return null;
  const Handler = class extends Served {
    override protocolVersion = args.protocol;
  };
  return withCredentials(() => makeServer(args, Handler));
}

/** The file server behind `--proxy`'s routes, or null after one error line when `--proxy-ca` cannot be read. */
function proxied(
  Files: typeof SimpleHTTPRequestHandler,
  proxy: NonNullable<ServeArgs['proxy']>,
): typeof SimpleHTTPRequestHandler | null {
  let ca: Buffer | undefined;
  try {
    ca = proxy.caFile === undefined ? undefined : readFileSync(proxy.caFile);
  } catch (err) {
    process.stderr.write(`basehttp: cannot read the --proxy-ca file: ${(err as Error).message}\n`);
    return null;
  }
  const { routes, preserveHost, timeout } = proxy;
  return withProxy(Files, { routes, preserveHost, timeout, tls: ca === undefined ? {} : { ca } });
}

/** `make()`'s server, or null after one error line when its certificate or key cannot be used. */
function withCredentials(make: () => HTTPServer): HTTPServer | null {
  try {
    return make();
  } catch (err) {
    process.stderr.write(`basehttp: cannot use the TLS certificate or key: ${(err as Error).message}\n`);
    return null;
  }
}

/**
 * Warns about a `--spa` file that is not there: not fatal (a build may write it later), but a typo would
 * otherwise show as nothing but 404s.
 */
export function warnMissingSpa(args: ServeArgs): void {
  const { spa, directory } = args.options;
  if (!spa || directory === undefined) return;
  const file = path.join(directory, spa);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile())
    process.stderr.write(`basehttp: warning: --spa file not found: ${file}\n`);
}

/**
 * Python's banner, and the local URL to click (on a Unix socket: the curl command that reaches it); bound to
 * every interface, the URLs other machines reach; with `--tls-self-signed`, the CA to trust; with `--open`,
 * the Local URL opened in the browser. Only the primary calls this, once.
 */
export function printBanner(args: ServeArgs, host: string, port: number): void {
  const scheme = args.tls === null ? 'http' : 'https';
  if (args.socketPath !== undefined) {
    process.stdout.write(unixSocketBanner(scheme, args.socketPath));
    process.stdout.write(`Local: curl --unix-socket ${args.socketPath} ${scheme}://localhost/\n`);
    return;
  }
  const workers = args.workers > 1 ? ` with ${args.workers} workers` : '';
  process.stdout.write(servingBanner(scheme, host, port, workers));
  const everywhere = host === '::' || host === '0.0.0.0';
  const local = `${scheme}://${urlHost(everywhere ? '127.0.0.1' : host)}:${port}/`;
  process.stdout.write(`Local: ${local}\n`);
  if (everywhere)
    for (const address of lanAddresses(host === '::' ? 'any' : 'IPv4'))
      process.stdout.write(`Network: ${scheme}://${urlHost(address)}:${port}/\n`);
  if (args.tlsSelfSigned) process.stdout.write(trustLine(args.tls!.certfile));
  process.stdout.write(devServerLines(args));
  if (args.open) openBrowser(local);
}

/**
 * What the dev-server flags turned on, a line each, so a mistyped prefix or a forgotten `--live` shows before
 * the first request: `Proxy: /api → http://127.0.0.1:3000`, `Live reload: …`, `Uploads: …`.
 */
export function devServerLines(args: ServeArgs): string {
  if (args.app !== null) return '';
  let lines = '';
  for (const { prefix, target } of args.proxy?.routes ?? []) lines += `Proxy: ${prefix} → ${target}\n`;
  const { live, upload, directory } = args.options;
  if (live) lines += `Live reload: open pages reload when files under ${directory} change\n`;
  if (upload) lines += `Uploads: PUT and the listing's form write under ${directory}\n`;
  return lines;
}

/**
 * HTTP, or HTTPS when a certificate was given (the key's password read from its file, newline dropped), for
 * the handler class or the Fetch-API app.
 */
function makeServer(args: ServeArgs, handler: HandlerClass | AppToServe): HTTPServer {
  const address =
    args.socketPath === undefined ? { host: args.bind, port: args.port } : { socketPath: args.socketPath };
  // Under a cluster, every log line says which worker wrote it.
  const prefix = cluster.isWorker ? `[worker ${cluster.worker!.id}] ` : '';
  const logStream =
    prefix === ''
      ? process.stderr
      : ({
          write: (text: string) => process.stderr.write(text.replace(/^(?=.)/gm, prefix)),
        } as unknown as NodeJS.WritableStream);
  const options = {
    logStream,
    shutdownTimeout: args.shutdownTimeout,
    requestTimeout: args.requestTimeout,
    minBodyRate: args.minBodyRate,
    maxConnections: args.maxConnections,
    trustProxy: args.trustProxy,
    proxyProtocol: args.proxyProtocol,
  };
  const tls = args.tls;
  const password =
    tls?.passwordFile === undefined
      ? undefined
      : readFileSync(tls.passwordFile, 'utf8').replace(/\r?\n$/, '');
  if (isHandlerClass(handler)) {
    if (tls === null) return new HTTPServer(address, handler, options);
    return new HTTPSServer(address, handler, {
      ...options,
      certfile: tls.certfile,
      keyfile: tls.keyfile,
      password,
    });
  }
  return new handler.FetchServer({
    ...options,
    fetch: handler.fetch,
    logFormat: args.options.logFormat,
    quiet: args.options.quiet,
    hostname: args.bind,
    port: args.port,
    socketPath: args.socketPath,
    tls: tls === null ? undefined : { cert: tls.certfile, key: tls.keyfile, passphrase: password },
  }).httpServer;
}

/** A handler class rather than an app: classes have a prototype that is a handler's. */
function isHandlerClass(handler: HandlerClass | AppToServe): handler is HandlerClass {
  return (handler as { prototype?: unknown }).prototype instanceof BaseHTTPRequestHandler;
}

import type { StaticOptions } from '../handlers/static/options.js';
import type { ReverseProxyOptions } from '../handlers/proxy/options.js';
import { UsageError, flagLabel, helpLine, readFlags } from './flags.js';
import { PORT, SERVE_FLAGS } from './serve-flags.js';

/** The labels' column in the help: a longer label pushes its text along, two spaces after it. */
const LABEL_WIDTH = 24;

export const USAGE = `usage: basehttp [-h] [-V] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-H HEADER] [options] [port]
       basehttp get [options] URL   (see basehttp get -h)

Serve a directory over HTTP/1.1, like python -m http.server.

positional arguments:
${helpLine(PORT.name, PORT.help, LABEL_WIDTH)}

options:
${Object.entries(SERVE_FLAGS)
  .map(([name, flag]) => helpLine(flagLabel(name, flag), flag.help, LABEL_WIDTH))
  .join('\n')}
`;

/** What the command line asks for. */
export interface ServeArgs {
  /** Serve the Fetch-API app this module exports instead of a directory. */
  app: string | null;
  /** Run CGI scripts under /cgi-bin and /htbin (CGIHTTPRequestHandler). */
  cgi: boolean;
  /** Proxies whose forwarding headers give the client address (addresses or CIDR ranges). */
  trustProxy: string[];
  /** Connections start with a PROXY protocol header (from the `trustProxy` peers only). */
  proxyProtocol: boolean;
  /** Processes serving (1: no cluster). */
  workers: number;
  /** How long requests in flight may take to finish when the server stops, in ms; 0 waits for all. */
  shutdownTimeout: number;
  /** Most time to receive a request, in ms (0: none). */
  requestTimeout: number;
  /** Least request body bytes per second after the grace (0: none). */
  minBodyRate: number;
  /** Most open connections per process (0: no cap). */
  maxConnections: number;
  /** HTTPS when set: certificate, key and the file holding the key's password. */
  tls: { certfile: string; keyfile?: string; passwordFile?: string } | null;
  /** HTTPS from the local CA (`--tls-self-signed`): `tls` is filled in once the certificate is ready. */
  tlsSelfSigned: boolean;
  /** Open the Local URL in the default browser once listening. */
  open: boolean;
  port: number;
  bind: string;
  /** A Unix domain socket to listen on instead of bind and port. */
  socketPath: string | undefined;
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
  options: Partial<StaticOptions>;
  /** `--proxy`: prefixes sent to backends, and how; null without one. */
  proxy: {
    routes: ReverseProxyOptions['routes'];
    preserveHost: boolean;
    /** A PEM file of CAs to trust for https backends. */
    caFile: string | undefined;
    /** Milliseconds to wait on a backend. */
    timeout: number;
  } | null;
}

/** Parses `basehttp [options] [port]`; returns 'help' for -h, 'version' for -V. Throws UsageError for bad input. */
export function parseServeArgs(argv: string[]): ServeArgs | 'help' | 'version' {
  const read = readFlags(SERVE_FLAGS, argv);
  if (read === 'help' || read === 'version') return read;
  const { values: flags, positionals } = read;
  const port = PORT.read(positionals);
  const certfile = flags['tls-cert'];
  if (certfile === undefined && (flags['tls-key'] !== undefined || flags['tls-password-file'] !== undefined))
    throw new UsageError('--tls-key and --tls-password-file need --tls-cert');
  if (flags['proxy-protocol'] && flags['trust-proxy'].length === 0)
    throw new UsageError(
      '--proxy-protocol needs --trust-proxy: the load balancers allowed to send the header',
    );
  if (flags['tls-self-signed'] && certfile !== undefined)
    throw new UsageError('--tls-self-signed makes its own certificate: it does not combine with --tls-cert');
  const upload = flags.upload;
  if (!upload && (flags.overwrite || flags.mkdir || flags['max-upload-size'] !== null))
    throw new UsageError('--overwrite, --mkdir and --max-upload-size need --upload');
  if (flags['auth-writes'] && flags.auth === null)
    throw new UsageError('--auth-writes needs --auth: the credentials writes require');
  const routes = flags.proxy;
  if (routes.length === 0 && (flags['proxy-preserve-host'] || flags['proxy-ca'] !== undefined))
    throw new UsageError('--proxy-preserve-host and --proxy-ca need --proxy');
  if (flags.app !== null) {
    // Asked for by name, these would do nothing for an app: say so rather than ignore them as `-d` is.
    const fileServerOnly = [routes.length > 0 && '--proxy', flags.live && '--live', upload && '--upload'];
    const named = fileServerOnly.filter((flag) => flag !== false);
    if (named.length > 0) throw new UsageError(`${named.join(', ')} go with the file server: not with --app`);
  }
  if (flags['live-ignore'].length > 0 && !flags.live)
    throw new UsageError('--live-ignore needs --live: it says which changes live reload ignores');
  const socketPath = flags['unix-socket'];
  if (socketPath !== undefined && flags.open)
    throw new UsageError('--open needs a URL a browser can reach: it does not combine with --unix-socket');
  if (socketPath !== undefined && flags.workers > 1)
    throw new UsageError('--unix-socket serves from one process: it does not combine with --workers');
  return {
    app: flags.app,
    cgi: flags.cgi,
    trustProxy: flags['trust-proxy'],
    proxyProtocol: flags['proxy-protocol'],
    workers: flags.workers,
    shutdownTimeout: flags['shutdown-timeout'],
    requestTimeout: flags['request-timeout'],
    minBodyRate: flags['min-body-rate'],
    maxConnections: flags['max-connections'],
    tls:
      certfile === undefined
        ? null
        : { certfile, keyfile: flags['tls-key'], passwordFile: flags['tls-password-file'] },
    tlsSelfSigned: flags['tls-self-signed'],
    open: flags.open,
    port,
    bind: flags.bind,
    socketPath,
    protocol: flags.protocol,
    options: {
      directory: flags.directory,
      listing: !flags['no-listing'],
      dotfiles: flags.dotfiles,
      followSymlinks: flags['follow-symlinks'],
      cors: flags.cors,
      headers: flags.header,
      spa: flags.spa,
      cacheSeconds: flags.cache,
      auth: flags.auth,
      upload: upload
        ? { overwrite: flags.overwrite, mkdir: flags.mkdir, maxBytes: flags['max-upload-size'] }
        : null,
      authWritesOnly: flags['auth-writes'],
      compression: !flags['no-compression'],
      quiet: flags.quiet,
      logFormat: flags['log-format'],
      live: flags.live,
      liveIgnore: flags['live-ignore'],
    },
    proxy:
      routes.length === 0
        ? null
        : {
            routes,
            preserveHost: flags['proxy-preserve-host'],
            caFile: flags['proxy-ca'],
            timeout: flags['proxy-timeout'],
          },
  };
}

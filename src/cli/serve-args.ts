import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { LogFormat } from '../server/access-log.js';
import { fieldLine } from '../protocol/response-head.js';
import type { StaticOptions } from '../handlers/static/options.js';
import { trustedProxies } from '../server/trust-proxy.js';

export const USAGE = `usage: basehttp [-h] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-H HEADER] [options] [port]
       basehttp get [options] URL   (see basehttp get -h)

Serve a directory over HTTP/1.1, like python -m http.server.

positional arguments:
  port                      bind to this port (default: 8000)

options:
  -h, --help                show this help message and exit
  -b, --bind ADDRESS        bind to this address (default: all interfaces, IPv6 and IPv4)
  -d, --directory DIR       serve this directory (default: current directory)
  -p, --protocol VERSION    HTTP/1.1 (default: keep-alive) or HTTP/1.0 (one request per connection)
  -H, --header "Name: value"  add a header to every response (repeatable)
  --no-listing              answer 404 instead of listing directories without an index page
  --dotfiles                serve dotfiles (.env, .git/...); hidden by default (.well-known is always served)
  --follow-symlinks         follow symlinks that lead outside the directory (refused by default)
  --cors                    send Access-Control-Allow-Origin: * and answer CORS preflight requests
  --spa FILE                serve FILE (relative to the directory) for unknown paths that accept HTML
  --cache SECONDS           send Cache-Control: max-age=SECONDS
  --auth USER:PASSWORD      require HTTP Basic authentication
  --no-compression          never compress responses (brotli/gzip are negotiated by default)
  --quiet                   no access log (errors are still logged)
  --log-format FORMAT       python (default), common, combined or json
  --tls-cert FILE           serve HTTPS with this PEM certificate (chain); it may hold the key too
  --tls-key FILE            the PEM private key, when not in the certificate file
  --tls-password-file FILE  a file holding the key's password
  --workers N               serve with N processes (0 or auto: one per core), sharing the port
  --shutdown-timeout SECONDS  on SIGTERM/SIGINT, let requests in flight finish this long (default: 5)
  --trust-proxy ADDRS       believe Forwarded / X-Forwarded-For from these proxies (IPs or CIDRs, comma-separated)
  --proxy-protocol          read a PROXY protocol v1/v2 header first on every connection (--trust-proxy peers only)
  --cgi                     run CGI scripts found under /cgi-bin and /htbin, as Python's --cgi
`;

/** What the command line asks for. */
export interface ServeArgs {
  /** Run CGI scripts under /cgi-bin and /htbin (CGIHTTPRequestHandler). */
  cgi: boolean;
  /** Proxies whose forwarding headers give the client address (addresses or CIDR ranges). */
  trustProxy: string[];
  /** Connections start with a PROXY protocol header (from the `trustProxy` peers only). */
  proxyProtocol: boolean;
  /** Processes serving (1: no cluster). */
  workers: number;
  /** How long requests in flight may take to finish when the server stops, in ms. */
  shutdownTimeout: number;
  /** HTTPS when set: certificate, key and the file holding the key's password. */
  tls: { certfile: string; keyfile?: string; passwordFile?: string } | null;
  port: number;
  bind: string;
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
  options: Partial<StaticOptions>;
}

/** A command-line mistake: printed with the usage to stderr, exit status 2 (as argparse). */
export class UsageError extends Error {}

const LOG_FORMATS: LogFormat[] = ['python', 'common', 'combined', 'json'];

/** Parses `basehttp [options] [port]`; returns 'help' for -h. Throws UsageError for bad input. */
export function parseServeArgs(argv: string[]): ServeArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        bind: { type: 'string', short: 'b' },
        directory: { type: 'string', short: 'd' },
        protocol: { type: 'string', short: 'p' },
        header: { type: 'string', short: 'H', multiple: true },
        'no-listing': { type: 'boolean' },
        dotfiles: { type: 'boolean' },
        'follow-symlinks': { type: 'boolean' },
        cors: { type: 'boolean' },
        spa: { type: 'string' },
        cache: { type: 'string' },
        auth: { type: 'string' },
        'no-compression': { type: 'boolean' },
        quiet: { type: 'boolean' },
        'log-format': { type: 'string' },
        cgi: { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-password-file': { type: 'string' },
        workers: { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        'trust-proxy': { type: 'string', multiple: true },
        'proxy-protocol': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v['tls-cert'] === undefined && (v['tls-key'] !== undefined || v['tls-password-file'] !== undefined)) {
    throw new UsageError('--tls-key and --tls-password-file need --tls-cert');
  }
  let workers = 1;
  if (v.workers !== undefined) {
    if (v.workers !== 'auto' && !/^\d+$/.test(v.workers))
      throw new UsageError(`argument --workers: expected a number or auto, got '${v.workers}'`);
    workers = v.workers === 'auto' || v.workers === '0' ? availableParallelism() : Number(v.workers);
  }
  let shutdownTimeout = 5000;
  const drain = v['shutdown-timeout'];
  if (drain !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(drain))
      throw new UsageError(`argument --shutdown-timeout: expected seconds, got '${drain}'`);
    shutdownTimeout = Math.round(Number(drain) * 1000);
  }
  if (parsed.positionals.length > 1)
    throw new UsageError(`unrecognized arguments: ${parsed.positionals.slice(1).join(' ')}`);
  const portText = parsed.positionals[0] ?? '8000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`argument port: invalid int value: '${portText}'`);
  const protocol = v.protocol ?? 'HTTP/1.1';
  if (protocol !== 'HTTP/1.0' && protocol !== 'HTTP/1.1')
    throw new UsageError(`argument -p/--protocol: must be HTTP/1.0 or HTTP/1.1`);
  const headers = (v.header ?? []).map((h): [string, string] => {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`argument -H/--header: expected "Name: value", got '${h}'`);
    const [name, value] = [h.slice(0, i).trim(), h.slice(i + 1).trim()];
    try {
      fieldLine(name, value);
    } catch (err) {
      throw new UsageError(`argument -H/--header: ${(err as Error).message}`);
    }
    return [name, value];
  });
  let cacheSeconds: number | null = null;
  if (v.cache !== undefined) {
    if (!/^\d+$/.test(v.cache)) throw new UsageError(`argument --cache: expected seconds, got '${v.cache}'`);
    cacheSeconds = Number(v.cache);
  }
  let auth: StaticOptions['auth'] = null;
  if (v.auth !== undefined) {
    const i = v.auth.indexOf(':');
    if (i <= 0) throw new UsageError('argument --auth: expected USER:PASSWORD');
    auth = { user: v.auth.slice(0, i), password: v.auth.slice(i + 1) };
  }
  const logFormat = (v['log-format'] ?? 'python') as LogFormat;
  if (!LOG_FORMATS.includes(logFormat))
    throw new UsageError(`argument --log-format: choose from ${LOG_FORMATS.join(', ')}`);
  const tls =
    v['tls-cert'] === undefined
      ? null
      : { certfile: v['tls-cert'], keyfile: v['tls-key'], passwordFile: v['tls-password-file'] };
  const trustProxy = (v['trust-proxy'] ?? []).flatMap((l) =>
    l
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
  try {
    trustedProxies(trustProxy);
  } catch (err) {
    throw new UsageError(`argument --trust-proxy: ${(err as Error).message}`);
  }
  if (v['proxy-protocol'] && trustProxy.length === 0)
    throw new UsageError(
      '--proxy-protocol needs --trust-proxy: the load balancers allowed to send the header',
    );
  return {
    cgi: v.cgi ?? false,
    trustProxy,
    proxyProtocol: v['proxy-protocol'] ?? false,
    workers,
    shutdownTimeout,
    tls,
    port,
    bind: v.bind ?? '',
    protocol,
    options: {
      directory: v.directory ?? process.cwd(),
      listing: !v['no-listing'],
      dotfiles: v.dotfiles ?? false,
      followSymlinks: v['follow-symlinks'] ?? false,
      cors: v.cors ?? false,
      headers,
      spa: v.spa ?? null,
      cacheSeconds,
      auth,
      compression: !v['no-compression'],
      quiet: v.quiet ?? false,
      logFormat,
    },
  };
}

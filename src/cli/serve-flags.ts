/** The flags of `basehttp` (the file server), declared once: the help, docs/static-files.md and the parser follow. */
import { availableParallelism } from 'node:os';
import type { LogFormat } from '../server/access-log.js';
import type { StaticOptions } from '../handlers/static/options.js';
import type { ReverseProxyOptions } from '../handlers/proxy/options.js';
import { parseProxySpec } from '../handlers/proxy/route.js';
import {
  DEFAULT_MIN_BODY_RATE,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_SHUTDOWN_TIMEOUT,
} from '../server/http-server.js';
import { trustedProxies } from '../server/trust-proxy.js';
import { UsageError, option, positional, repeatable, toggle } from './flags.js';
import { headerField } from './header-flag.js';

const LOG_FORMATS: LogFormat[] = ['python', 'common', 'combined', 'json'];

/** `8080`: a port number, 0 to 65535. */
function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`invalid int value: '${text}'`);
  return port;
}

/** `2.5` seconds as 2500 ms. */
function milliseconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`expected seconds, got '${text}'`);
  return Math.round(Number(text) * 1000);
}

/** `100`: a count, 0 or more. */
function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`expected a whole number, got '${text}'`);
  return Number(text);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
};

/** `10M`: a number of bytes, with K, M, G or T for powers of 1024 (`1.5G` too); more than 0. */
function byteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(text);
  const bytes = m === null ? NaN : Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!);
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new UsageError(`expected a size in bytes such as 500000, 10M or 1G, got '${text}'`);
  return bytes;
}

/** Every `--trust-proxy` list, split at commas, each entry an IP address or a CIDR range. */
function proxyList(texts: string[]): string[] {
  const proxies = texts.flatMap((list) =>
    list
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  );
  try {
    trustedProxies(proxies);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return proxies;
}

/** Every `--proxy PREFIX=URL`, checked; a bad prefix or URL is a usage error. */
function proxyRoutes(texts: string[]): ReverseProxyOptions['routes'] {
  try {
    return texts.map(parseProxySpec);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The one positional argument. */
export const PORT = positional({
  name: 'port',
  help: 'bind to this port (default: 8000)',
  default: 8000,
  parse: portNumber,
});

/** Every flag of `basehttp`, in the order `--help` and docs/static-files.md list them. */
export const SERVE_FLAGS = {
  help: toggle({ short: 'h', help: 'show this help message and exit' }),
  version: toggle({ short: 'V', help: "show the program's version number and exit" }),
  open: toggle({ help: 'open the Local URL in the default browser once serving' }),
  bind: option({
    short: 'b',
    value: 'ADDRESS',
    help: 'bind to this address (default: all interfaces, IPv6 and IPv4)',
    default: '',
    parse: (text) => text,
  }),
  'unix-socket': option<string | undefined>({
    value: 'PATH',
    help: 'listen on this Unix domain socket instead of a port (a stale one is replaced; removed on exit)',
    default: undefined,
    parse: (text) => text,
  }),
  directory: option({
    short: 'd',
    value: 'DIR',
    help: 'serve this directory (default: current directory)',
    default: process.cwd(),
    parse: (text) => text,
  }),
  app: option<string | null>({
    value: 'MODULE',
    help: 'serve the Fetch-API app MODULE exports (default export: { fetch } or a function) instead of files',
    default: null,
    parse: (text) => text,
  }),
  protocol: option<'HTTP/1.0' | 'HTTP/1.1'>({
    short: 'p',
    value: 'VERSION',
    help: 'HTTP/1.1 (default: keep-alive) or HTTP/1.0 (one request per connection)',
    default: 'HTTP/1.1',
    parse: (text) => {
      if (text !== 'HTTP/1.0' && text !== 'HTTP/1.1') throw new UsageError('must be HTTP/1.0 or HTTP/1.1');
      return text;
    },
  }),
  header: repeatable({
    short: 'H',
    value: '"Name: value"',
    help: 'add a header to every response (repeatable)',
    parse: (texts) => texts.map(headerField),
  }),
  'no-listing': toggle({ help: 'answer 404 instead of listing directories without an index page' }),
  dotfiles: toggle({
    help: 'serve dotfiles (.env, .git/...); hidden by default (.well-known is always served)',
  }),
  'follow-symlinks': toggle({ help: 'follow symlinks that lead outside the directory (refused by default)' }),
  cors: toggle({ help: 'send Access-Control-Allow-Origin: * and answer CORS preflight requests' }),
  spa: option<string | null>({
    value: 'FILE',
    help: 'serve FILE (relative to the directory) for unknown paths that accept HTML',
    default: null,
    parse: (text) => text,
  }),
  cache: option<number | null>({
    value: 'SECONDS',
    help: 'send Cache-Control: max-age=SECONDS',
    default: null,
    parse: (text) => {
      if (!/^\d+$/.test(text)) throw new UsageError(`expected seconds, got '${text}'`);
      return Number(text);
    },
  }),
  live: toggle({
    help: 'reload open pages when a file under the directory changes (CSS swapped in place); no-cache',
  }),
  'live-ignore': repeatable({
    value: 'GLOB',
    help: 'changes --live ignores (repeatable); dotfiles and node_modules always are',
    parse: (texts) => texts,
  }),
  auth: option<StaticOptions['auth']>({
    value: 'USER:PASSWORD',
    help: 'require HTTP Basic authentication',
    default: null,
    parse: (text) => {
      const colon = text.indexOf(':');
      if (colon <= 0) throw new UsageError('expected USER:PASSWORD');
      return { user: text.slice(0, colon), password: text.slice(colon + 1) };
    },
  }),
  upload: toggle({
    help: 'take uploads: PUT writes a file, a multipart POST to a directory saves its files',
  }),
  overwrite: toggle({ help: 'an upload may replace an existing file (409 without)' }),
  mkdir: toggle({ help: 'an upload creates missing directories on its path (409 without)' }),
  'max-upload-size': option<number | null>({
    value: 'BYTES',
    help: 'most bytes one upload request may write, as 500000, 10M or 1G; more is 413 (default: no limit)',
    default: null,
    parse: byteSize,
  }),
  'auth-writes': toggle({
    help: 'with --auth: require it only for writes (PUT, POST, ...); reading is open',
  }),
  'no-compression': toggle({ help: 'never compress responses (brotli/gzip are negotiated by default)' }),
  quiet: toggle({ help: 'no access log (errors are still logged)' }),
  'log-format': option<LogFormat>({
    value: 'FORMAT',
    help: 'python (default), common, combined or json',
    default: 'python',
    parse: (text) => {
      const format = LOG_FORMATS.find((known) => known === text);
      if (format === undefined) throw new UsageError(`choose from ${LOG_FORMATS.join(', ')}`);
      return format;
    },
  }),
  'tls-cert': option<string | undefined>({
    value: 'FILE',
    help: 'serve HTTPS with this PEM certificate (chain); it may hold the key too',
    default: undefined,
    parse: (text) => text,
  }),
  'tls-key': option<string | undefined>({
    value: 'FILE',
    help: 'the PEM private key, when not in the certificate file',
    default: undefined,
    parse: (text) => text,
  }),
  'tls-password-file': option<string | undefined>({
    value: 'FILE',
    help: "a file holding the key's password",
    default: undefined,
    parse: (text) => text,
  }),
  'tls-self-signed': toggle({
    help: 'serve HTTPS with a certificate from a local CA made once and kept in the cache directory',
  }),
  workers: option({
    value: 'N',
    help: 'serve with N processes (0 or auto: one per core), sharing the port',
    default: 1,
    parse: (text) => {
      if (text !== 'auto' && !/^\d+$/.test(text))
        throw new UsageError(`expected a number or auto, got '${text}'`);
      return text === 'auto' || text === '0' ? availableParallelism() : Number(text);
    },
  }),
  'shutdown-timeout': option({
    value: 'SECONDS',
    help: 'on SIGTERM/SIGINT/reload, let requests in flight finish this long; 0: wait for all (default: 30)',
    default: DEFAULT_SHUTDOWN_TIMEOUT,
    parse: milliseconds,
  }),
  'request-timeout': option({
    value: 'SECONDS',
    help: 'most time to receive a request, head and body; then 408 (0: none; default: 300)',
    default: DEFAULT_REQUEST_TIMEOUT,
    parse: milliseconds,
  }),
  'min-body-rate': option({
    value: 'BYTES',
    help: 'least request body bytes per second after a 5 s grace; slower gets 408 (0: none; default: 240)',
    default: DEFAULT_MIN_BODY_RATE,
    parse: wholeNumber,
  }),
  'max-connections': option({
    value: 'N',
    help: 'most open connections per process; more are refused (default: 0, no cap)',
    default: 0,
    parse: wholeNumber,
  }),
  'trust-proxy': repeatable({
    value: 'ADDRS',
    help: 'believe Forwarded / X-Forwarded-For from these proxies (IPs or CIDRs, comma-separated)',
    parse: proxyList,
  }),
  'proxy-protocol': toggle({
    help: 'read a PROXY protocol v1/v2 header first on every connection (--trust-proxy peers only)',
  }),
  cgi: toggle({ help: "run CGI scripts found under /cgi-bin and /htbin, as Python's --cgi" }),
  proxy: repeatable({
    value: 'PREFIX=URL',
    help: 'send requests under PREFIX (any method) to the backend URL; /p/=http://h/ strips /p (repeatable)',
    parse: proxyRoutes,
  }),
  'proxy-preserve-host': toggle({ help: "send the client's Host to the backend instead of the backend's" }),
  'proxy-ca': option<string | undefined>({
    value: 'FILE',
    help: 'trust this PEM CA for https backends (their certificates are always verified)',
    default: undefined,
    parse: (text) => text,
  }),
  'proxy-timeout': option({
    value: 'SECONDS',
    help: 'wait this long for a backend to connect, answer, or send more of its body; then 504 (default: 60)',
    default: 60_000,
    parse: milliseconds,
  }),
};

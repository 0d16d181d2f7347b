import { InvalidURL } from './errors.js';
import { noProxyRule } from './no-proxy.js';
import { authorityOf } from './proxy-tunnel.js';
import type { RequestHeaders } from './outgoing-request.js';
import { parseURL } from './parse-url.js';

/** A forward proxy the client goes through: where it is, and the credentials for it (if any). */
export interface ProxyConfig {
  readonly host: string;
  readonly port: number;
  /** `Basic …` for the `Proxy-Authorization` field, from the URL's user and password; null without them. */
  readonly authorization: string | null;
  /** `http://host:port` without the credentials: for messages and pool keys. */
  readonly label: string;
}

/** The proxy settings a Pool, `request()` or HTTPConnection takes. */
export interface ProxyOptions {
  /**
   * `http://user:password@host:port` (curl's default port 1080 when none is given), or `'env'`: the proxy the
   * environment names for the target's scheme (`http_proxy`, `https_proxy`, `all_proxy`, in lower or upper
   * case, lower case first), as curl and undici's EnvHttpProxyAgent read it: when a Pool or connection is
   * made, and by `request()` for each URL.
   */
  proxy?: string;
  /**
   * Hosts that bypass the proxy, curl's NO_PROXY syntax: `localhost,.example.com,10.0.0.0/8,host:8080,*`.
   * With `proxy: 'env'` it defaults to the `no_proxy`/`NO_PROXY` variable.
   */
  noProxy?: string;
}

/** Parses a proxy URL; no scheme means http:// (as curl). Only http:// proxies are spoken to. */
export function parseProxy(text: string): ProxyConfig {
  const url = parseURL(/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  if (url.protocol !== 'http:') throw new InvalidURL(`Unsupported proxy protocol: ${url.protocol}`);
  if (url.hostname === '') throw new InvalidURL(`No host in the proxy URL ${JSON.stringify(text)}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 1080);
  const credentials =
    url.username === '' && url.password === ''
      ? null
      : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    host,
    port,
    authorization: credentials === null ? null : `Basic ${Buffer.from(credentials).toString('base64')}`,
    label: `http://${authorityOf(host, port)}`,
  };
}

/** The first variable of `names` set to something other than the empty string. */
function firstSet(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** The `no_proxy` (else `NO_PROXY`) list of the environment; curl applies it to `--proxy` too. */
export function noProxyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return firstSet(env, ['no_proxy', 'NO_PROXY']);
}

/**
 * The proxy URL the environment names for a target: `https_proxy`/`HTTPS_PROXY` for https:, `http_proxy`/
 * `HTTP_PROXY` for http:, else `all_proxy`/`ALL_PROXY`. Under CGI (`REQUEST_METHOD` set) the upper-case
 * `HTTP_PROXY` is ignored, as Python and Go do: a client's `Proxy:` header could have set it (httpoxy).
 */
function proxyFromEnv(target: URL, env: NodeJS.ProcessEnv): string | undefined {
  const scheme = target.protocol.slice(0, -1);
  const upper =
    scheme === 'http' && env['REQUEST_METHOD'] !== undefined ? [] : [`${scheme.toUpperCase()}_PROXY`];
  return firstSet(env, [`${scheme}_proxy`, ...upper, 'all_proxy', 'ALL_PROXY']);
}

/** The proxy URL for a request to `target` under these options (the environment's, with `'env'`), or null to go direct. */
export function proxyURLFor(
  target: URL,
  options: ProxyOptions,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const { proxy } = options;
  if (proxy === undefined || proxy === '') return null;
  const fromEnv = proxy === 'env';
  const url = fromEnv ? proxyFromEnv(target, env) : proxy;
  if (url === undefined) return null;
  const noProxy = options.noProxy ?? (fromEnv ? noProxyFromEnv(env) : undefined);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  if (noProxy !== undefined && noProxyRule(noProxy)(target.hostname, port)) return null;
  return url;
}

/** The proxy for a request to `target` under these options, or null to go direct. */
export function proxyFor(target: URL, options: ProxyOptions): ProxyConfig | null {
  const url = proxyURLFor(target, options);
  return url === null ? null : parseProxy(url);
}

/** The `Proxy-Authorization` field added to `headers` (unless the caller gave one). */
export function withProxyAuthorization(
  headers: RequestHeaders | undefined,
  authorization: string,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = Array.isArray(headers)
    ? [...headers]
    : Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]);
  if (pairs.some(([name]) => name.toLowerCase() === 'proxy-authorization')) return pairs;
  pairs.push(['Proxy-Authorization', authorization]);
  return pairs;
}

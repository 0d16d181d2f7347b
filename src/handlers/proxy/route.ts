import { InvalidServerOptionError } from '../../server/errors.js';

/** One proxied prefix: requests whose path starts with it go to `target`. */
export interface ProxyRoute {
  /** The path prefix, e.g. `/api` or `/api/`; `/` proxies every request. */
  readonly prefix: string;
  /** The backend's origin (scheme, host, port), e.g. `http://127.0.0.1:3000`. */
  readonly origin: string;
  /**
   * What replaces the prefix in the path sent on, as nginx's `proxy_pass` with a URI: null when the URL
   * had no path (the path is sent as it came), else the URL's path (`/api/=http://h/` sends `/api/x` as `/x`).
   */
  readonly replacement: string | null;
}

/**
 * Checks and normalises a route: the prefix is a path (starts with `/`, no query, no spaces), the URL an
 * http(s) origin with at most a path. A URL path and the prefix must agree on a trailing slash, or the
 * mapped path would be `//x` or `/v1x` (nginx's classic pitfall): both or neither. Throws
 * InvalidServerOptionError saying what is wrong.
 */
export function proxyRoute(prefix: string, target: string): ProxyRoute {
  if (!/^\/[^\s?#]*$/.test(prefix))
    throw new InvalidServerOptionError(`proxy prefix must be a path starting with '/': '${prefix}'`);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new InvalidServerOptionError(`proxy target is not a URL: '${target}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidServerOptionError(`proxy target must be http:// or https://: '${target}'`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    throw new InvalidServerOptionError(`proxy target takes no credentials, query or fragment: '${target}'`);
  // URL gives every http URL a path: whether one was written is read from the text after the authority.
  const written = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(target)?.[1] ?? null;
  if (written !== null && written.endsWith('/') !== prefix.endsWith('/'))
    throw new InvalidServerOptionError(
      `proxy prefix '${prefix}' and the path of '${target}' must both end with '/' or neither ` +
        `(e.g. /api/=http://host/ strips the prefix; /api=http://host keeps the path)`,
    );
  return { prefix, origin: url.origin, replacement: written === null ? null : url.pathname };
}

/** `PREFIX=URL`, as `--proxy` takes it, checked as `proxyRoute` checks it. */
export function parseProxySpec(spec: string): { prefix: string; target: string } {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new InvalidServerOptionError(`expected PREFIX=URL, got '${spec}'`);
  const [prefix, target] = [spec.slice(0, eq), spec.slice(eq + 1)];
  proxyRoute(prefix, target);
  return { prefix, target };
}

/**
 * Whether `path` (the request target as sent) falls under `prefix` at a segment boundary: `/api` takes
 * `/api`, `/api/…` and `/api?…`, never `/apiary`; a prefix ending in `/` takes what starts with it.
 */
export function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (prefix.endsWith('/') || path.length === prefix.length) return true;
  const next = path.charCodeAt(prefix.length);
  return next === 0x2f /* / */ || next === 0x3f; /* ? */
}

/** The route for `path`, the longest matching prefix winning; null when none matches. */
export function routeFor(routes: readonly ProxyRoute[], path: string): ProxyRoute | null {
  let best: ProxyRoute | null = null;
  for (const route of routes) {
    if (underPrefix(path, route.prefix) && (best === null || route.prefix.length > best.prefix.length))
      best = route;
  }
  return best;
}

/** The request target sent to the backend: as it came, or with the prefix replaced by the URL's path. */
export function backendPath(route: ProxyRoute, path: string): string {
  return route.replacement === null ? path : route.replacement + path.slice(route.prefix.length);
}

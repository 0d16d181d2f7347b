import type { TLSOptions } from '../../client/dial.js';
import { InvalidServerOptionError } from '../../server/errors.js';
import { proxyRoute, type ProxyRoute } from './route.js';

/** How a reverse proxy forwards: where each prefix goes, and how it talks to the backends. */
export interface ReverseProxyOptions {
  /**
   * Prefixes and their backends, e.g. `[{ prefix: '/api', target: 'http://127.0.0.1:3000' }]`. A target with
   * a path replaces the prefix by it (`/api/` → `http://host/` sends `/api/x` as `/x`); without one the path
   * goes as it came. `/api` matches `/api`, `/api/…` and `/api?…`, not `/apiary`; the longest prefix wins.
   */
  routes: Array<{
    /** The path prefix, starting with `/`. */
    prefix: string;
    /** The backend's http(s) URL, with a path or without one. */
    target: string;
  }>;
  /** Send the client's Host to the backend instead of the backend's own. Default false. */
  preserveHost?: boolean;
  /**
   * Milliseconds to connect, then to wait for the response head, then for each stall of its body: past it a
   * backend that never answers gets 504 (or the client's connection cut, mid-body). Default 60 000, as nginx's
   * `proxy_read_timeout`.
   */
  timeout?: number;
  /**
   * Connections to each backend at once, busy or kept alive (idle ones close after 4 s). Default 256: enough
   * that a request rarely waits for one (nginx opens one per request in flight, with no cap), few enough to
   * spare a backend a flood; a request beyond it waits for the next free connection.
   */
  connections?: number;
  /** For https backends: e.g. `{ ca }` to trust a private CA. Certificates are always verified. */
  tls?: TLSOptions;
}

/** ReverseProxyOptions checked, with defaults. */
export interface ResolvedReverseProxyOptions {
  readonly routes: readonly ProxyRoute[];
  readonly preserveHost: boolean;
  readonly timeout: number;
  readonly connections: number;
  readonly tls: TLSOptions;
}

/** Checks `options` and fills in defaults; a bad prefix, URL or number throws InvalidServerOptionError. */
export function resolveReverseProxyOptions(options: ReverseProxyOptions): ResolvedReverseProxyOptions {
  const { timeout = 60_000, connections = 256 } = options;
  if (!(Number.isFinite(timeout) && timeout > 0))
    throw new InvalidServerOptionError(`proxy timeout must be a number of milliseconds > 0, not ${timeout}`);
  if (!(Number.isInteger(connections) && connections >= 1))
    throw new InvalidServerOptionError(`proxy connections must be a whole number ≥ 1, not ${connections}`);
  if (options.routes.length === 0) throw new InvalidServerOptionError('proxy needs at least one route');
  return {
    routes: options.routes.map(({ prefix, target }) => proxyRoute(prefix, target)),
    preserveHost: options.preserveHost ?? false,
    timeout,
    connections,
    tls: options.tls ?? {},
  };
}

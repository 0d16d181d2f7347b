import { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { SimpleHTTPRequestHandler } from '../static/simple-handler.js';
import { dotSegmentRefusal } from './dot-segments.js';
import type { ReverseProxyOptions } from './options.js';
import { ReverseProxy } from './reverse-proxy.js';

/** A handler class: what `withProxy` extends. */
type HandlerConstructor = typeof BaseHTTPRequestHandler;

/**
 * `Base` with a reverse proxy in front: a request under one of `options.routes`' prefixes goes to its
 * backend, whatever its method (PUT, DELETE, PROPFIND… as well as those `Base` implements); every other
 * request is `Base`'s as before. With a file server (`SimpleHTTPRequestHandler` and its subclasses) its
 * `auth` guards the proxied paths too, and with its `live` reload on, proxied HTML pages get the reload script
 * as its own pages do (a navigation asks the backend for the page uncompressed so the script can go in).
 * The composition lives here, not in the file server, so a server
 * without a proxy runs exactly the code it ran before.
 */
export function withProxy<T extends HandlerConstructor>(Base: T, options: ReverseProxyOptions): T {
  const guarded =
    Base.prototype instanceof SimpleHTTPRequestHandler || (Base as unknown) === SimpleHTTPRequestHandler;
  const livePages =
    guarded && (Base.prototype as unknown as Partial<SimpleHTTPRequestHandler>).options?.live === true;
  const proxy = new ReverseProxy(options, { livePages });
  const Proxied = class extends (Base as HandlerConstructor) {
    override handleOneRequest(): void | Promise<void> {
      const route = proxy.routeFor(this.path);
      if (route === null) return super.handleOneRequest();
      const refusal = dotSegmentRefusal(this.path);
      if (refusal !== null) {
        this.sendError(400, refusal);
        return this.complete();
      }
      const head = this.exchange.head!;
      this.closeConnection = !(head.keepAlive && this.protocolVersion >= 'HTTP/1.1');
      if (guarded && !authorizedFor(this as unknown as SimpleHTTPRequestHandler)) return this.complete();
      return proxy.forward(this, route).then(
        () => this.complete(),
        (err: unknown) => {
          this.handleException(err);
          return this.complete();
        },
      );
    }
  };
  return Proxied as unknown as T;
}

/** The file server's Basic check, reached from outside its class (it is protected there). */
function authorizedFor(handler: SimpleHTTPRequestHandler): boolean {
  return (handler as unknown as { authorized(): boolean }).authorized();
}

/**
 * A handler that is a reverse proxy and nothing else: `ProxyHandler.with({ routes: [{ prefix: '/',
 * target: 'http://127.0.0.1:3000' }] })` forwards every request; a path under no route gets 404.
 */
export class ProxyHandler extends BaseHTTPRequestHandler {
  /** A subclass forwarding as `options` say (checked now: a bad prefix or URL throws InvalidServerOptionError). */
  static with(options: ReverseProxyOptions): typeof ProxyHandler {
    return withProxy(ProxyHandler, options);
  }

  /** A request under no route: 404, whatever its method (this class implements none of its own). */
  override unsupportedMethod(): void {
    this.sendError(404, 'No proxy route for this path');
  }
}

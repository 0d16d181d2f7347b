import type net from 'node:net';
import { dial, secureOver, type Endpoint, type TLSOptions } from './dial.js';
import { ProxyAuthenticationRequired } from './errors.js';
import type { HeadTrace } from './head-trace.js';
import type { ProxyConfig } from './proxy.js';
import { authorityOf, openTunnel } from './proxy-tunnel.js';
import { headerLine } from './request-lines.js';
import type { HTTPResponse } from './response.js';

/**
 * How requests reach their origin; a Pool and an HTTPConnection each go by one. Straight: TCP or a Unix socket,
 * TLS for https. Through a proxy, for https (or when a tunnel is asked for, as `setTunnel`): a CONNECT tunnel,
 * then TLS to the origin over it, the certificate checked against the origin's name; the proxy's credentials
 * go in the CONNECT only. Through a proxy, for http: requests go to the proxy in absolute-form
 * (`GET http://host/path`) with the credentials in Proxy-Authorization, so the proxy can strip them.
 */
export class Route {
  /** `host:port` for messages, with the proxy when there is one. */
  readonly label: string;
  /** `http://host:port` to put before each path (absolute-form) when requests go to a forward proxy; else ''. */
  readonly targetPrefix: string;
  /** Proxy-Authorization for each request in absolute-form; null otherwise. */
  readonly forwardAuthorization: string | null;
  /** Extra lines of the CONNECT head; null when there is no tunnel (connections open at once). */
  private readonly tunnelFields: string | null;

  constructor(
    /** The origin: where requests are meant for (and whose name TLS checks). */
    private readonly origin: Endpoint,
    private readonly tls: TLSOptions | null,
    private readonly proxy: ProxyConfig | null,
    {
      tunnel = tls !== null,
      connectHeaders = [],
    }: {
      /** Tunnel even for http (Python's `set_tunnel` on an HTTPConnection). Default: only for TLS. */
      tunnel?: boolean;
      /** Fields for the CONNECT besides Proxy-Authorization (setTunnel's headers). */
      connectHeaders?: Array<[string, string]>;
    } = {},
  ) {
    const where = origin.socketPath ?? authorityOf(origin.host, origin.port);
    this.label = proxy === null ? where : `${where} via proxy ${proxy.label}`;
    const tunnelled = proxy !== null && tunnel;
    const forwarding = proxy !== null && !tunnel;
    this.targetPrefix = forwarding ? `http://${authorityOf(origin.host, origin.port)}` : '';
    this.forwardAuthorization = forwarding ? proxy.authorization : null;
    if (!tunnelled) {
      this.tunnelFields = null;
    } else {
      let fields = proxy.authorization === null ? '' : headerLine('Proxy-Authorization', proxy.authorization);
      for (const [name, value] of connectHeaders) fields += headerLine(name, value);
      this.tunnelFields = fields;
    }
  }

  /** Whether connections need a tunnel set up first (`tunnel()`), not `open()`. */
  get tunnelled(): boolean {
    return this.tunnelFields !== null;
  }

  /** Opens a connection now: to the origin, or to the forward proxy. */
  open(onread: net.OnReadOpts): net.Socket {
    const proxy = this.proxy;
    return proxy === null ? dial(this.origin, this.tls, onread) : dial(proxy, null, onread);
  }

  /**
   * Sets up a tunnel to the origin; resolves with the function that opens the connection over it (TLS for
   * https), or rejects as `openTunnel` does.
   */
  async tunnel(timeout: number, trace?: HeadTrace): Promise<(onread: net.OnReadOpts) => net.Socket> {
    const { host, port } = this.origin;
    const tunnel = await openTunnel(this.proxy!, host, port, this.tunnelFields!, timeout, trace);
    const tls = this.tls;
    return tls === null
      ? (onread) => tunnel.handOver(onread)
      : (onread) => secureOver(tunnel.socket, host, tls, onread);
  }

  /** The request target: the path, or in absolute-form for a forward proxy. */
  target(path: string): string {
    return this.targetPrefix !== '' && path.startsWith('/') ? `${this.targetPrefix}${path}` : path;
  }

  /**
   * A 407 from a forward proxy, as the ProxyAuthenticationRequired it is (its body read, so the connection
   * can carry another request); other responses pass through.
   */
  async checkForwarded(response: HTTPResponse): Promise<HTTPResponse> {
    if (response.status !== 407) return response;
    await response.dump();
    const proxy = this.proxy!;
    throw new ProxyAuthenticationRequired(
      `proxy ${proxy.label} asks for credentials (${response.status} ${response.reason})`,
      response.headers.get('proxy-authenticate') ?? null,
    );
  }
}

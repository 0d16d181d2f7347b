import type net from 'node:net';
import type { ResponseHead } from '../protocol/response-reader.js';
import { ClientSocket } from './client-socket.js';
import type { TLSOptions } from './dial.js';
import { AlreadyConnected, ResponseNotReady } from './errors.js';
import { outgoingRequest, type RequestBody, type RequestHeaders } from './outgoing-request.js';
import { headerLine, hostLine, requestLineOf } from './request-lines.js';
import { proxyFor, withProxyAuthorization, type ProxyConfig, type ProxyOptions } from './proxy.js';
import { authorityOf } from './proxy-tunnel.js';
import { HTTPResponse } from './response.js';
import type { ResponseWaiter } from './response-waiter.js';
import { Route } from './route.js';

/** Options of `HTTPConnection.request`, beyond method and URL. */
export interface RequestOptions {
  /** Bytes, a string, or a stream (sent chunked unless a Content-Length is given). */
  body?: RequestBody | null;
  /** Fields to send; Host and the body's framing are added unless given. */
  headers?: RequestHeaders;
  /**
   * With a `Transfer-Encoding` header of the caller's, frame a streamed body in chunks here (Python's
   * `encode_chunked`); without it the caller frames. Streams with neither header are chunked anyway.
   */
  encodeChunked?: boolean;
}

/** Timeouts, proxy and Unix socket of an `HTTPConnection`. */
export interface ConnectionOptions extends ProxyOptions {
  /** Milliseconds for connecting and for each wait on the server (head, body bytes). Default 30 000. */
  timeout?: number;
  /** Milliseconds a body with `Expect: 100-continue` waits for `100 Continue` before going anyway. Default 1 000. */
  continueTimeout?: number;
  /** Connect to this Unix domain socket instead of host and port (which still make the Host field). */
  socketPath?: string;
}

/** The head a request is waiting for, as a promise `getresponse()` picks up. */
class PendingResponse implements ResponseWaiter {
  readonly head: Promise<ResponseHead>;
  onHead!: (head: ResponseHead) => void;
  onError!: (err: Error) => void;

  constructor(
    readonly method: string,
    readonly socket: ClientSocket,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.onHead = resolve;
      this.onError = reject;
    });
    // Reported by getresponse(); a request whose response is never asked for must not crash the process.
    this.head.catch(() => {});
  }
}

/**
 * Python's `http.client.HTTPConnection`: one connection to one server, one request at a time, kept alive
 * between requests when the server allows, reopened when it does not. The response parser is the server's
 * own protocol layer in the response role.
 */
export class HTTPConnection {
  /** Milliseconds for connecting and for each wait on the server. */
  readonly timeout: number;
  /** Milliseconds a body with `Expect: 100-continue` waits for `100 Continue`. */
  readonly continueTimeout: number;
  private socket: ClientSocket | null = null;
  /** The request being built with putrequest/putheader. */
  private building: {
    method: string;
    target: string;
    /** Whether to add Host (not with putrequest's `skipHost`). */
    host: boolean;
    fields: Array<[string, string]>;
  } | null = null;
  private pending: PendingResponse | null = null;
  private current: HTTPResponse | null = null;
  private readonly proxyOptions: ProxyOptions;
  private readonly socketPath: string | undefined;
  /** Where `setTunnel` asked for a tunnel to; null without one. */
  private tunnelTarget: { host: string; port: number; headers: Array<[string, string]> } | null = null;
  /** Made at the first connect (a subclass's TLS settings are known by then); dropped by `setTunnel`. */
  private routeMade: Route | null = null;

  constructor(
    /** The server's name or address, as Python's `host`. */
    readonly host: string,
    /** The server's port. */
    readonly port = 80,
    options: ConnectionOptions = {},
  ) {
    this.timeout = options.timeout ?? 30_000;
    this.continueTimeout = options.continueTimeout ?? 1000;
    this.proxyOptions = { proxy: options.proxy, noProxy: options.noProxy };
    this.socketPath = options.socketPath;
  }

  /** The socket, once connected; replaced after the server closes it. */
  get sock(): net.Socket | null {
    return this.socket?.sock ?? null;
  }

  /** The default port for the scheme: Host omits it then. */
  protected get defaultPort(): number {
    return 80;
  }

  /** TLS settings for the origin; null for plain HTTP. HTTPSConnection gives its own. */
  protected get tlsOptions(): TLSOptions | null {
    return null;
  }

  /**
   * Asks the server this connection goes to (a proxy) for a CONNECT tunnel to `host`:`port` (default: this
   * class's default port) before the first request, as Python's `set_tunnel`; `headers` go with the CONNECT
   * (e.g. Proxy-Authorization). Requests then go to `host`, their Host field names it, and an HTTPSConnection
   * speaks TLS to it through the tunnel, checking its certificate against `host`. Throws AlreadyConnected
   * once connected.
   */
  setTunnel(host: string, port?: number, headers: Record<string, string> = {}): void {
    if (this.socket !== null) throw new AlreadyConnected("Can't set up tunnel for established connection");
    this.tunnelTarget = { host, port: port ?? this.defaultPort, headers: Object.entries(headers) };
    this.routeMade = null;
  }

  /** How connections reach the server: straight, through a proxy, or through setTunnel's tunnel. */
  private get route(): Route {
    if (this.routeMade !== null) return this.routeMade;
    const tls = this.tlsOptions;
    const tunnel = this.tunnelTarget;
    if (tunnel !== null) {
      const proxy: ProxyConfig = {
        host: this.host,
        port: this.port,
        authorization: null,
        label: `http://${authorityOf(this.host, this.port)}`,
      };
      const origin = { host: tunnel.host, port: tunnel.port };
      this.routeMade = new Route(origin, tls, proxy, { tunnel: true, connectHeaders: tunnel.headers });
    } else {
      const origin = { host: this.host, port: this.port, socketPath: this.socketPath };
      const url = new URL(`${tls === null ? 'http' : 'https'}://${authorityOf(this.host, this.port)}/`);
      this.routeMade = new Route(origin, tls, proxyFor(url, this.proxyOptions));
    }
    return this.routeMade;
  }

  /** Opens the socket (to the server, or to a forward proxy), reading through `onread`. */
  protected openSocket(onread: net.OnReadOpts): net.Socket {
    return this.route.open(onread);
  }

  /** The Host field (of the tunnel's end with setTunnel): the port only when not the default, IPv6 in brackets. */
  private get hostField(): string {
    const { host, port } = this.tunnelTarget ?? this;
    const name = host.includes(':') ? `[${host}]` : host;
    return port === this.defaultPort ? name : `${name}:${port}`;
  }

  /**
   * Connects now (requests connect on their own when needed); rejects on refusal, TLS failure or timeout, and
   * through a proxy with the ProxyError or ProxyAuthenticationRequired of a refused tunnel.
   */
  async connect(): Promise<ClientSocket> {
    if (this.socket === null || !this.socket.usable) {
      const route = this.route;
      const open = route.tunnelled
        ? await route.tunnel(this.timeout)
        : (onread: net.OnReadOpts) => this.openSocket(onread);
      this.socket = new ClientSocket(open, route.label, this.timeout, this.continueTimeout);
    }
    await this.socket.whenConnected();
    return this.socket;
  }

  private checkIdle(): void {
    if (this.current !== null && !this.current.isclosed()) {
      throw new ResponseNotReady('the previous response has not been read to its end');
    }
    if (this.pending !== null)
      throw new ResponseNotReady('the previous response was not asked for with getresponse()');
  }

  /** Starts a request, as Python's `putrequest`: Host (with the port when not default, IPv6 in brackets) is added. */
  putrequest(method: string, url: string, { skipHost = false }: { skipHost?: boolean } = {}): void {
    this.checkIdle();
    this.building = { method, target: url, host: !skipHost, fields: [] };
  }

  /** Adds a header; several values are joined with `, `. Invalid names or values throw at endheaders(). */
  putheader(name: string, ...values: Array<string | number>): void {
    if (this.building === null) throw new ResponseNotReady('putheader() before putrequest()');
    this.building.fields.push([
      name,
      values.length === 1 ? String(values[0]) : values.map(String).join(', '),
    ]);
  }

  /** Sends the head (and `body`, if given), as Python's `endheaders`; the caller frames the body. */
  async endheaders(body?: string | Uint8Array): Promise<void> {
    const building = this.building;
    if (building === null) throw new ResponseNotReady('endheaders() before putrequest()');
    this.building = null;
    const route = this.route;
    let head = requestLineOf(building.method, route.target(building.target));
    if (building.host) head += hostLine(this.hostField);
    if (route.forwardAuthorization !== null)
      head += headerLine('Proxy-Authorization', route.forwardAuthorization);
    for (const [name, value] of building.fields) head += headerLine(name, value);
    head += '\r\n';
    const socket = await this.connect();
    this.pending = new PendingResponse(building.method, socket);
    socket.sendHead(this.pending, head);
    if (body !== undefined) await this.send(body);
  }

  /** Sends body bytes as they are (the caller frames them). */
  async send(data: string | Uint8Array): Promise<void> {
    if (this.pending === null) throw new ResponseNotReady('send() before endheaders()');
    await this.pending.socket.write(data);
  }

  /**
   * Sends a whole request: `Content-Length` for strings and bytes, chunked for streams of unknown length.
   * With `Expect: 100-continue` among the headers, the body waits for the interim response (at most
   * `continueTimeout`); after a final answer instead, it is not sent and `getresponse` returns that answer.
   */
  async request(method: string, url: string, options: RequestOptions = {}): Promise<void> {
    this.checkIdle();
    const route = this.route;
    const authorization = route.forwardAuthorization;
    const request = outgoingRequest(
      method,
      route.target(url),
      this.hostField,
      authorization === null ? options.headers : withProxyAuthorization(options.headers, authorization),
      options.body ?? null,
      options.encodeChunked ?? false,
    );
    const socket = await this.connect();
    this.pending = new PendingResponse(method, socket);
    await socket.send(this.pending, request);
  }

  /** The response to the request sent, as Python's `getresponse()`; interim 1xx responses are skipped. */
  async getresponse(): Promise<HTTPResponse> {
    const pending = this.pending;
    if (pending === null) throw new ResponseNotReady('no request was sent');
    this.pending = null;
    const response = new HTTPResponse(await pending.head, pending.socket);
    this.current = response;
    const route = this.route;
    return route.targetPrefix === '' ? response : route.checkForwarded(response);
  }

  /** Closes the socket; a request waiting on it fails at once (this is how an abort lands). */
  close(): void {
    this.socket?.close();
    this.socket = null;
    this.pending = null;
    this.current = null;
  }
}

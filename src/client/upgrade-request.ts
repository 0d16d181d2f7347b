import { ClientSocket } from './client-socket.js';
import type { TLSOptions } from './dial.js';
import { outgoingRequest, type RequestHeaders } from './outgoing-request.js';
import { HTTPResponse } from './response.js';
import type { ResponseWaiter, SwitchedConnection } from './response-waiter.js';
import type { ResponseHead } from '../protocol/response-reader.js';
import { Route } from './route.js';

/** How a request offering an upgrade was answered. */
export interface UpgradeOutcome {
  /** The final answer: a 101 (no body), or any other response, whose body is read as usual. */
  readonly response: HTTPResponse;
  /** The connection the 101 took out of HTTP; null for any other answer. */
  readonly switched: SwitchedConnection | null;
}

/** One request offering an upgrade, for `requestUpgrade`. */
export interface UpgradeRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** Every field to send, Upgrade and `Connection: upgrade` among them; Host is added unless given. */
  readonly headers: RequestHeaders;
  /** Milliseconds to connect, then to wait for the head, then for each stall of a body. */
  readonly timeout: number;
  /** For an https origin: its TLS settings (certificates are verified unless they say not to). */
  readonly tls: TLSOptions;
  /** Aborting closes the connection (the client the request came from left). */
  readonly signal?: AbortSignal | undefined;
}

/** Waits for the answer to the upgrade offer, the only request on its socket. */
class UpgradeWaiter implements ResponseWaiter {
  readonly pipelinable = false;

  constructor(
    readonly method: string,
    private readonly socket: ClientSocket,
    private readonly resolve: (outcome: UpgradeOutcome) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  onHead(head: ResponseHead): void {
    this.resolve({ response: new HTTPResponse(head, this.socket), switched: null });
  }

  onSwitch(head: ResponseHead, switched: SwitchedConnection): void {
    this.resolve({ response: new HTTPResponse(head, this.socket), switched });
  }

  onError(err: Error): void {
    this.reject(err);
  }
}

/**
 * Sends a request offering an upgrade to `origin` (an http(s) URL) on a connection of its own, never a
 * pooled one: a 101 hands that connection over (`switched`); any other answer is read as a normal response,
 * and the connection closes once it is, never reused. Rejects as `Pool.request` does (ConnectionFailed,
 * TimeoutError, a broken head). Straight to the origin: no forward proxy.
 */
export function requestUpgrade(origin: URL, req: UpgradeRequest): Promise<UpgradeOutcome> {
  const https = origin.protocol === 'https:';
  const endpoint = {
    host: origin.hostname.replace(/^\[|\]$/g, ''),
    port: Number(origin.port || (https ? 443 : 80)),
  };
  const route = new Route(endpoint, https ? req.tls : null, null);
  const request = outgoingRequest(req.method, req.path, origin.host, req.headers, null);
  return new Promise<UpgradeOutcome>((resolve, reject) => {
    const socket = new ClientSocket((onread) => route.open(onread), route.label, req.timeout, 0);
    // Whatever the answer, the connection carries nothing after it.
    socket.onIdle = () => socket.close();
    const abort = (): void => socket.close(req.signal!.reason as Error);
    req.signal?.addEventListener('abort', abort, { once: true });
    socket.onClose = () => req.signal?.removeEventListener('abort', abort);
    // No body: nothing is left to wait for once the head is handed over.
    void socket.send(new UpgradeWaiter(req.method, socket, resolve, reject), request);
  });
}

import type { TLSOptions } from '../../client/dial.js';
import { requestUpgrade } from '../../client/upgrade-request.js';
import type { HTTPResponse } from '../../client/response.js';
import { listHas } from '../../protocol/websocket/handshake.js';
import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { endToEndFields } from './hop-by-hop.js';
import { joinSockets } from './join.js';

/**
 * The `Upgrade` value of a request that offers one the proxy passes on (`Connection: upgrade` and `Upgrade:
 * …`, any protocol), else null. HTTP/1.0 has no upgrade (RFC 9110 §7.8), and a request with a body to send
 * goes on as plain HTTP (an upgrade may be ignored): the new protocol starts after the whole request.
 */
export function upgradeOffer(handler: BaseHTTPRequestHandler): string | null {
  const { headers, exchange } = handler;
  // Most requests offer none: one lookup, nothing allocated, decides.
  if (headers.get('upgrade') === undefined) return null;
  if (exchange.head!.versionMinor === 0 || !exchange.bodyDone) return null;
  return listHas(headers, 'connection', 'upgrade') ? headers.getAll('upgrade').join(', ') : null;
}

/** Where and how an upgrade offer goes: the backend, and what a plain answer and a failure become. */
export interface UpgradeForwarding {
  readonly origin: URL;
  readonly path: string;
  /** The end-to-end and forwarding fields, as for a plain request. */
  readonly fields: Array<[string, string]>;
  readonly timeout: number;
  readonly tls: TLSOptions;
  /** Relays an answer other than 101, as any response. */
  relay(res: HTTPResponse): void | Promise<void>;
  /** Answers a backend that failed before its head (502, 504). */
  failed(err: unknown): void;
}

/**
 * Sends the request's upgrade offer on (its `Upgrade` and `Connection: upgrade`, the only hop-by-hop
 * fields that go on, RFC 9110 §7.8) over a connection of its own. A 101 goes back to the client with the
 * backend's fields, and the two connections are joined (one access line, for the 101); any other answer is
 * relayed as a response, and that backend connection closes after it.
 */
export async function forwardUpgrade(
  handler: BaseHTTPRequestHandler,
  offer: string,
  how: UpgradeForwarding,
): Promise<void> {
  const headers: Array<[string, string]> = [...how.fields, ['Upgrade', offer], ['Connection', 'upgrade']];
  let outcome;
  try {
    outcome = await requestUpgrade(how.origin, {
      method: handler.command,
      path: how.path,
      headers,
      timeout: how.timeout,
      tls: how.tls,
      signal: handler.signal,
    });
  } catch (err) {
    if (!handler.exchange.aborted) how.failed(err);
    return;
  }
  const { response, switched } = outcome;
  if (switched === null) return how.relay(response);
  if (handler.exchange.aborted) {
    switched.socket.destroy();
    return;
  }
  handler.logRequest(101);
  handler.sendResponseOnly(101, response.reason);
  for (const [name, value] of endToEndFields(response.headers)) handler.sendHeader(name, value);
  const upgrade = response.headers.getAll('upgrade');
  if (upgrade.length > 0) handler.sendHeader('Upgrade', upgrade.join(', '));
  handler.sendHeader('Connection', 'Upgrade');
  handler.endHeaders();
  joinSockets(handler.takeOverConnection(), switched);
}

import { createHash } from 'node:crypto';
import type { Headers } from '../headers.js';
import { isToken, splitList } from '../tokens.js';

/** The GUID RFC 6455 §1.3 appends to the client's key before hashing it into Sec-WebSocket-Accept. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The only WebSocket version (RFC 6455 §4.1), and what a refusal for another one names. */
export const WEBSOCKET_VERSION = '13';

/** A Sec-WebSocket-Key: the base64 of 16 bytes, so 22 characters, the last with its low 4 bits clear, and `==`. */
const KEY_SHAPE = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** The Sec-WebSocket-Accept value for a client's key (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)). */
export function acceptValue(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** A handshake the server can accept: what its 101 answer is made from. */
export interface HandshakeOffer {
  readonly ok: true;
  /** The Sec-WebSocket-Accept value. */
  readonly accept: string;
  /** The subprotocols the client offered, in its order of preference (empty when none). */
  readonly protocols: readonly string[];
  /** The Sec-WebSocket-Extensions value the client sent, its fields joined (undefined when none). */
  readonly extensions: string | undefined;
}

/** A handshake the server refuses: the status, why, and the header fields the refusal must carry. */
export interface HandshakeRefusal {
  readonly ok: false;
  /** 400 for a broken handshake, 426 for a request that is no WebSocket upgrade or of another version. */
  readonly status: 400 | 426;
  readonly message: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

/** RFC 9110 §15.5.22: a 426 names the protocol to upgrade to (and Connection: Upgrade makes it a hop field). */
const UPGRADE_FIELDS = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
] as const;
/** RFC 6455 §4.4: a refusal of another version names the versions the server speaks. */
const VERSION_FIELDS = [['Sec-WebSocket-Version', WEBSOCKET_VERSION]] as const;

function refuse(
  status: 400 | 426,
  message: string,
  fields: ReadonlyArray<readonly [string, string]> = [],
): HandshakeRefusal {
  return { ok: false, status, message, fields };
}

/** Whether one of the field's comma-separated members is `token`, ignoring case. */
export function listHas(headers: Headers, name: string, token: string): boolean {
  for (const value of headers.getAll(name)) {
    for (const member of splitList(value)) if (member.toLowerCase() === token) return true;
  }
  return false;
}

/**
 * Checks an opening handshake (RFC 6455 §4.2.1) from the request's method, minor HTTP version and header
 * fields. Refusals, in the order checked:
 * - 400 for another method than GET, or HTTP/1.0 (which has no Upgrade, RFC 9110 §7.8);
 * - 426 with `Upgrade: websocket` and `Connection: Upgrade` when the Upgrade field names no websocket
 *   (a plain GET at a WebSocket URL: RFC 9110 §15.5.22 says how to ask for the upgrade);
 * - 400 when Connection lacks the `upgrade` token (the client asked, but broke the handshake);
 * - 426 with `Sec-WebSocket-Version: 13` for a missing or other version (RFC 6455 §4.4);
 * - 400 for a Sec-WebSocket-Key that is missing, repeated or not the base64 of 16 bytes;
 * - 400 for a Sec-WebSocket-Protocol member that is not a token, or repeated.
 */
export function checkHandshake(
  method: string,
  versionMinor: number,
  headers: Headers,
): HandshakeOffer | HandshakeRefusal {
  if (method !== 'GET') return refuse(400, `A WebSocket handshake is a GET, not ${method}`);
  if (versionMinor < 1) return refuse(400, 'A WebSocket handshake needs HTTP/1.1');
  if (!listHas(headers, 'upgrade', 'websocket')) {
    return refuse(426, 'This resource is a WebSocket endpoint: upgrade to websocket', UPGRADE_FIELDS);
  }
  if (!listHas(headers, 'connection', 'upgrade')) {
    return refuse(400, 'A WebSocket handshake needs the upgrade token in Connection');
  }
  const versions = headers.getAll('sec-websocket-version');
  if (versions.length !== 1 || versions[0]!.trim() !== WEBSOCKET_VERSION) {
    return refuse(426, 'Only WebSocket version 13 is supported', VERSION_FIELDS);
  }
  const keys = headers.getAll('sec-websocket-key');
  const key = keys.length === 1 ? keys[0]!.trim() : '';
  if (!KEY_SHAPE.test(key)) return refuse(400, 'Missing or invalid Sec-WebSocket-Key');
  const protocols: string[] = [];
  for (const value of headers.getAll('sec-websocket-protocol')) {
    for (const protocol of splitList(value)) {
      if (!isToken(protocol) || protocols.includes(protocol)) {
        return refuse(400, 'Invalid Sec-WebSocket-Protocol');
      }
      protocols.push(protocol);
    }
  }
  const extensions = headers.getAll('sec-websocket-extensions');
  return {
    ok: true,
    accept: acceptValue(key),
    protocols,
    extensions: extensions.length === 0 ? undefined : extensions.join(', '),
  };
}

/** The subprotocol to answer with: the first of the client's offers the server speaks, or '' for none. */
export function chooseProtocol(offered: readonly string[], spoken: readonly string[]): string {
  for (const protocol of offered) if (spoken.includes(protocol)) return protocol;
  return '';
}

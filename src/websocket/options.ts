import type { PerMessageDeflateOptions } from '../protocol/websocket/deflate-offer.js';
import { WebSocketOptionError } from './errors.js';

/** What a server's WebSocket does and allows; every option has a default. */
export interface WebSocketOptions {
  /** Subprotocols the server speaks: the first of the client's offers found here is chosen ('' when none). */
  protocols?: readonly string[];
  /** permessage-deflate (RFC 7692): false (the default), true, or its options. */
  compress?: boolean | PerMessageDeflateOptions;
  /** Largest message (after reassembly and decompression), bytes; over it the server closes with 1009. Default 16 MiB. */
  maxPayload?: number;
  /**
   * ms without any frame from the peer before the server pings it; another `idleTimeout` without one and
   * it closes with 1001. 0 turns it off. Default 60 000.
   */
  idleTimeout?: number;
  /** ms to wait for the peer's close frame (and then its FIN) once the server sent its own. Default 5 000. */
  closeTimeout?: number;
  /** `send()` returns false once `bufferedAmount` reaches this many bytes; 'drain' follows when it empties. Default 1 MiB. */
  highWaterMark?: number;
}

/** The options with their defaults filled in and checked. */
export interface ResolvedWebSocketOptions {
  readonly protocols: readonly string[];
  readonly compress: false | true | PerMessageDeflateOptions;
  readonly maxPayload: number;
  readonly idleTimeout: number;
  readonly closeTimeout: number;
  readonly highWaterMark: number;
}

const MIB = 1024 * 1024;

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new WebSocketOptionError(`WebSocket option ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** Fills in the defaults; throws WebSocketOptionError for a value out of range, before any handshake answer. */
export function resolveWebSocketOptions(options: WebSocketOptions = {}): ResolvedWebSocketOptions {
  const protocols = options.protocols ?? [];
  if (!Array.isArray(protocols) || protocols.some((p) => typeof p !== 'string')) {
    throw new WebSocketOptionError('WebSocket option protocols must be an array of strings');
  }
  return {
    protocols,
    compress: options.compress ?? false,
    maxPayload: count('maxPayload', options.maxPayload, 16 * MIB, 1),
    idleTimeout: count('idleTimeout', options.idleTimeout, 60_000, 0),
    closeTimeout: count('closeTimeout', options.closeTimeout, 5_000, 1),
    highWaterMark: count('highWaterMark', options.highWaterMark, MIB, 1),
  };
}

import { parseExtensions } from './extensions-header.js';

/**
 * What a server allows of permessage-deflate (RFC 7692), as `compress` takes it. Each option is a demand
 * the server adds to its answer; a client's own requests are granted whatever the options say.
 */
export interface PerMessageDeflateOptions {
  /**
   * Start each outgoing message with an empty compression context (server_no_context_takeover, sent even
   * when the client did not ask): worse compression of similar messages, no state carried between them.
   */
  serverNoContextTakeover?: boolean;
  /** Ask the client to start each message with an empty context (client_no_context_takeover). */
  clientNoContextTakeover?: boolean;
  /** Largest LZ77 window the server compresses with, 8-15 (2^n bytes; default 15): memory against ratio. */
  serverMaxWindowBits?: number;
  /**
   * Largest window the client may compress with, 8-15: bounds the server's inflate memory. Only a client
   * that offers client_max_window_bits can be held to it; an offer without it is declined when this is set.
   */
  clientMaxWindowBits?: number;
  /** Messages smaller than this many bytes go uncompressed (not worth the CPU). Default 1024. */
  threshold?: number;
}

/** The permessage-deflate parameters both ends agreed on: what the codec of one WebSocket runs with. */
export interface NegotiatedDeflate {
  /** The server resets its deflate context after each message. */
  serverNoContextTakeover: boolean;
  /** The client resets its context after each message, so the server resets its inflate context too. */
  clientNoContextTakeover: boolean;
  /** Window bits the server compresses within (8-15). */
  serverMaxWindowBits: number;
  /** Window bits the client compresses within (8-15): the server inflates with exactly this window. */
  clientMaxWindowBits: number;
}

/** A `compress` option out of its range: the server refuses it at the handshake instead of misbehaving. */
export class DeflateOptionError extends TypeError {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_DEFLATE_OPTION';

  constructor(message = 'invalid permessage-deflate option') {
    super(message);
    this.name = 'DeflateOptionError';
  }
}

/** The threshold below which messages go uncompressed when the options name none. */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;

const EXTENSION = 'permessage-deflate';
const MAX_BITS = 15;

/** The threshold `options` set, checked, or the default: what the codec's `shouldCompress` compares with. */
export function deflateThreshold(options: PerMessageDeflateOptions | true): number {
  const threshold = options === true ? undefined : options.threshold;
  if (threshold === undefined) return DEFAULT_DEFLATE_THRESHOLD;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new DeflateOptionError(`compress.threshold must be a count of bytes, got ${threshold}`);
  }
  return threshold;
}

/**
 * The server's side of RFC 7692 §5 and §7.1: accepts the first permessage-deflate offer of a
 * Sec-WebSocket-Extensions value it can honour and returns the response's extension value with the agreed
 * parameters; null when there is no offer or every one is declined (the socket then runs uncompressed).
 * An offer is declined for a parameter unknown, repeated or with an invalid value, and, when
 * `clientMaxWindowBits` is set, for lacking client_max_window_bits. A value breaking the header grammar
 * throws ExtensionHeaderError (answer 400); options out of range throw DeflateOptionError.
 *
 * server_max_window_bits=8 is granted: zlib deflates raw streams with a window of at least 9 bits, but its
 * matches reach back at most 2^9 - 262 = 250 bytes, so the stream it makes fits an 8-bit window.
 */
export function negotiateDeflate(
  offerHeaderValue: string | undefined,
  options: PerMessageDeflateOptions | true,
): { responseValue: string; params: NegotiatedDeflate } | null {
  const own = checkedOptions(options);
  if (offerHeaderValue === undefined) return null;
  for (const offer of parseExtensions(offerHeaderValue)) {
    if (offer.name !== EXTENSION) continue;
    const accepted = acceptOffer(offer.params, own);
    if (accepted !== null) return accepted;
  }
  return null;
}

/** The options, checked once per handshake so a misconfiguration shows at the first client, offer or not. */
function checkedOptions(options: PerMessageDeflateOptions | true): PerMessageDeflateOptions {
  if (options === true) return {};
  deflateThreshold(options);
  for (const name of ['serverMaxWindowBits', 'clientMaxWindowBits'] as const) {
    const bits = options[name];
    if (bits !== undefined && !(Number.isInteger(bits) && bits >= 8 && bits <= MAX_BITS)) {
      throw new DeflateOptionError(`compress.${name} must be an integer from 8 to 15, got ${bits}`);
    }
  }
  return options;
}

/** The answer to one offer, or null to decline it (RFC 7692 §5). */
function acceptOffer(
  params: Array<[string, string | true]>,
  options: PerMessageDeflateOptions,
): { responseValue: string; params: NegotiatedDeflate } | null {
  let serverNoContextTakeover = options.serverNoContextTakeover === true;
  let clientNoContextTakeover = options.clientNoContextTakeover === true;
  let serverBits: number | undefined;
  let clientBits: number | true | undefined;
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) return null;
    seen.add(name);
    if (name === 'server_no_context_takeover' || name === 'client_no_context_takeover') {
      if (value !== true) return null;
      if (name === 'server_no_context_takeover') serverNoContextTakeover = true;
      else clientNoContextTakeover = true;
    } else if (name === 'server_max_window_bits') {
      serverBits = windowBits(value);
      if (serverBits === undefined) return null;
    } else if (name === 'client_max_window_bits') {
      clientBits = value === true ? true : windowBits(value);
      if (clientBits === undefined) return null;
    } else {
      return null;
    }
  }
  if (options.clientMaxWindowBits !== undefined && clientBits === undefined) return null;

  const agreed: NegotiatedDeflate = {
    serverNoContextTakeover,
    clientNoContextTakeover,
    serverMaxWindowBits: Math.min(serverBits ?? MAX_BITS, options.serverMaxWindowBits ?? MAX_BITS),
    clientMaxWindowBits: Math.min(
      clientBits === true || clientBits === undefined ? MAX_BITS : clientBits,
      options.clientMaxWindowBits ?? MAX_BITS,
    ),
  };
  let responseValue = EXTENSION;
  if (serverNoContextTakeover) responseValue += '; server_no_context_takeover';
  if (clientNoContextTakeover) responseValue += '; client_no_context_takeover';
  if (serverBits !== undefined || agreed.serverMaxWindowBits < MAX_BITS) {
    responseValue += `; server_max_window_bits=${agreed.serverMaxWindowBits}`;
  }
  // Only an offer with client_max_window_bits lets the answer carry it (§7.1.2.2).
  if (clientBits !== undefined && (clientBits !== true || agreed.clientMaxWindowBits < MAX_BITS)) {
    responseValue += `; client_max_window_bits=${agreed.clientMaxWindowBits}`;
  }
  return { responseValue, params: agreed };
}

/** A window-bits value of RFC 7692 §7.1.2: 1*DIGIT naming 8 to 15; undefined for anything else. */
function windowBits(value: string | true): number | undefined {
  if (value === true || !/^[0-9]+$/.test(value)) return undefined;
  const bits = Number(value);
  return bits >= 8 && bits <= MAX_BITS ? bits : undefined;
}

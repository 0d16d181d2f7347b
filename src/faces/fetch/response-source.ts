/**
 * What a `Response` body is, read without going through its stream where Node's Response lets us. Node's
 * (undici's) Response keeps the value it was made from (`new Response('text')`: the string) and the body's
 * length, under a symbol named `state`; reading them directly saves the stream, its promises and a copy on
 * every small response. Where that state is not found (another runtime, a future Node), every body goes the
 * general way: through `response.body`.
 */

import { fastBody } from './fast-response.js';

/** undici's body record: the value the body was made from and its length when known. */
interface BodyState {
  readonly source: unknown;
  readonly length: number | null;
}

const STATE: symbol | undefined = Object.getOwnPropertySymbols(new Response('')).find(
  (symbol) => symbol.description === 'state',
);

/**
 * Whether this runtime lets the length of a body only Node's Response holds (FormData) be read: Node 20
 * does; Node 24 keeps it private, so such a body goes chunked there.
 */
export const nativeBodyLengthKnown = STATE !== undefined;

/** A body with no content, shared. */
export const EMPTY = Buffer.alloc(0);

/**
 * The body as bytes when it is held whole (a string, a Uint8Array, an ArrayBuffer, none at all), else its
 * length when known (a Blob, FormData) or -1 (a stream, or a body this runtime does not let us look into).
 */
export function heldBody(response: Response): Buffer | number {
  const fast = fastBody(response);
  if (fast !== undefined) return fast ?? EMPTY;
  const state =
    STATE === undefined
      ? undefined
      : (response as unknown as Record<symbol, { body?: BodyState | null } | undefined>)[STATE];
  if (state === undefined) return response.body === null ? EMPTY : -1;
  const body = state.body;
  if (body === null || body === undefined) return EMPTY;
  if (response.bodyUsed) return -1; // read already: the stream says so when it is read again
  const source = body.source;
  if (typeof source === 'string') return Buffer.from(source, 'utf8');
  if (source instanceof Uint8Array) return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  return body.length ?? -1;
}

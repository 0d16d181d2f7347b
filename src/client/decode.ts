import { PassThrough, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** The content codings the client decodes. */
type Coding = 'gzip' | 'deflate' | 'br';

/**
 * The codings of a Content-Encoding value in the order to undo them (the last applied first), or null when
 * there is nothing to decode or one of them is unknown: then the body is passed on as it came, as undici's
 * fetch does.
 */
export function codingsToUndo(contentEncoding: string | undefined): Coding[] | null {
  if (contentEncoding === undefined) return null;
  const codings: Coding[] = [];
  for (const part of contentEncoding.split(',')) {
    const coding = part.trim().toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') codings.push('gzip');
    else if (coding === 'deflate' || coding === 'br') codings.push(coding);
    else if (coding !== '' && coding !== 'identity') return null;
  }
  return codings.length === 0 ? null : codings.reverse();
}

/** Lenient flushing, as browsers and undici decode: a body cut short gives what it holds, not an error. */
const FLUSH = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

/**
 * The decoder for a content coding. `deflate` is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some
 * servers send a bare deflate stream: the first bytes tell which.
 */
function decoderFor(coding: Coding, first: Buffer): Transform {
  if (coding === 'br') return zlib.createBrotliDecompress();
  if (coding === 'gzip') return zlib.createGunzip(FLUSH);
  const zlibHeader =
    first.length < 2 || ((first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0);
  return zlibHeader ? zlib.createInflate(FLUSH) : zlib.createInflateRaw(FLUSH);
}

/** Streams `source` through the decoders for `codings`, in order (async iteration keeps memory flat). */
export async function* decode(
  source: AsyncIterable<Buffer>,
  codings: readonly Coding[],
): AsyncGenerator<Buffer> {
  let body = source;
  for (const coding of codings) body = decodeOne(body, coding);
  yield* body;
}

async function* decodeOne(source: AsyncIterable<Buffer>, coding: Coding): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  };
  const out = new PassThrough();
  const done = pipeline(rest(), decoderFor(coding, first.value), out);
  // A failure reaches `out` as well, and is thrown from the loop below; so is leaving the loop early.
  done.catch(() => {});
  for await (const piece of out) yield piece as Buffer;
  await done;
}

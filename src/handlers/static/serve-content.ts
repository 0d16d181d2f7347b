import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { weightedMembers } from '../../protocol/weighted-lists.js';
import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { checkPreconditions, ifRangeHolds, type Validators } from './conditional.js';
import { FILE_CHUNK_BYTES, sendFileRange } from './file-stream.js';
import { parseRange, type ByteRange } from './ranges.js';

/** A regular file about to be sent. */
export interface FileToServe {
  path: string;
  size: number;
  mtimeMs: number;
  /** Content-Type, charset included. */
  type: string;
  /** The file's bytes when they are held in memory (the file cache), else null: read from disk. */
  data: Buffer | null;
  /** Worth compressing on the fly (text-like type). */
  compressible: boolean;
  /** Validators by coding, worked out once per cached file. */
  validators: Map<string, Validators & { lastModifiedText: string }>;
  /**
   * Set for bytes made in memory from the file (live reload's page), as the suffix its ETag carries: they
   * are only in `data`, so they are served whole (no ranges, no precompressed sibling) and compressed
   * from memory.
   */
  variant?: string;
}

/** Files smaller than this are not worth compressing on the fly. */
const MIN_COMPRESS_BYTES = 1024;

type Coding = 'br' | 'gzip';

/** The codings a client accepts, best first, from Accept-Encoding with q-values (RFC 9110 §12.5.3). */
export function acceptedCodings(acceptEncoding: string | undefined): Coding[] {
  const q = new Map<string, number>();
  for (const member of weightedMembers(acceptEncoding))
    if (!q.has(member.value)) q.set(member.value, member.q);
  const star = q.get('*') ?? 0;
  const out: Array<[Coding, number]> = [];
  for (const coding of ['br', 'gzip'] as const) {
    const weight = q.get(coding) ?? (coding === 'gzip' ? (q.get('x-gzip') ?? star) : star);
    if (weight > 0) out.push([coding, weight]);
  }
  return out.sort((a, b) => b[1] - a[1]).map(([c]) => c);
}

function validatorsFor(size: number, mtimeMs: number, suffix: string): Validators {
  return {
    etag: `"${Math.floor(mtimeMs).toString(16)}-${size.toString(16)}${suffix}"`,
    lastModified: Math.floor(mtimeMs / 1000) * 1000,
  };
}

/**
 * A fresh precompressed sibling (`file.br`, `file.gz`) for one of the accepted codings, if any. Only a regular
 * file counts: a sibling that is a symlink could lead out of the directory past the checks the file passed.
 */
async function precompressed(
  file: FileToServe,
  codings: Coding[],
): Promise<{ coding: Coding; path: string; size: number } | null> {
  for (const coding of codings) {
    const sibling = `${file.path}${coding === 'br' ? '.br' : '.gz'}`;
    const st = await fsp.lstat(sibling).catch(() => null);
    if (st !== null && st.isFile() && st.mtimeMs >= file.mtimeMs)
      return { coding, path: sibling, size: st.size };
  }
  return null;
}

/**
 * Sends a file as Go's ServeContent does: picks the representation (precompressed sibling, on-the-fly
 * brotli/gzip, or identity), evaluates the preconditions against its validators (304/412), honours Range
 * and If-Range on the identity representation (206, multipart/byteranges, 416), and streams the body with
 * backpressure, closing the file as soon as the client goes away.
 *
 * With an error `status` (the 404.html page) the file is the body of that error: negotiated and compressed
 * the same, but without validators, preconditions or ranges, which speak of a resource that is not there.
 */
export function serveContent(
  handler: BaseHTTPRequestHandler,
  file: FileToServe,
  compression: boolean,
  status = 200,
): void | Promise<void> {
  const compressible = compression && file.compressible;
  const rangeHeader =
    handler.command === 'GET' && status === 200 && file.variant === undefined
      ? handler.headers.get('range')
      : undefined;
  // Ranges address the identity bytes, so a range request is never compressed.
  const codings =
    compressible && rangeHeader === undefined ? acceptedCodings(handler.headers.get('accept-encoding')) : [];
  if (codings.length === 0 || file.variant !== undefined)
    return serveRepresentation(handler, file, compressible, rangeHeader, codings, null, status);
  return precompressed(file, codings).then((sibling) =>
    serveRepresentation(handler, file, compressible, rangeHeader, codings, sibling, status),
  );
}

/**
 * The rest of `serveContent` once the representation's source is known. Synchronous for a file held in
 * memory — the common small file costs no promise — and a promise while a body streams from disk.
 */
function serveRepresentation(
  handler: BaseHTTPRequestHandler,
  file: FileToServe,
  compressible: boolean,
  rangeHeader: string | undefined,
  codings: Coding[],
  sibling: { coding: Coding; path: string; size: number } | null,
  status: number,
): void | Promise<void> {
  const onTheFly: Coding | null =
    sibling === null && file.size >= MIN_COMPRESS_BYTES ? (codings[0] ?? null) : null;
  const coding = sibling?.coding ?? onTheFly;
  const source = sibling?.path ?? file.path;
  const size = sibling?.size ?? file.size;
  const suffix = coding === null ? (file.variant ?? '') : `${file.variant ?? ''}-${coding}`;
  let validators = file.validators.get(suffix);
  if (validators === undefined) {
    const base = validatorsFor(file.size, file.mtimeMs, suffix);
    validators = { ...base, lastModifiedText: handler.dateTimeString(base.lastModified) };
    file.validators.set(suffix, validators);
  }

  const precondition =
    status === 200 ? checkPreconditions(handler.command, handler.headers, validators) : 'proceed';
  if (precondition === 'failed') {
    handler.sendError(412);
    return;
  }
  const sendValidators = (): void => {
    if (status === 200) {
      handler.sendHeader('Last-Modified', validators.lastModifiedText);
      handler.sendHeader('ETag', validators.etag);
    }
    if (compressible) handler.sendHeader('Vary', 'Accept-Encoding');
  };
  if (precondition === 'not-modified') {
    handler.sendResponse(304);
    sendValidators();
    handler.endHeaders();
    return;
  }

  let ranges: ByteRange[] | null = null;
  if (rangeHeader !== undefined && coding === null && ifRangeHolds(handler.headers, validators)) {
    const parsed = parseRange(rangeHeader, size);
    if (parsed === 'unsatisfiable') {
      handler.sendResponse(416);
      handler.sendHeader('Content-Range', `bytes */${size}`);
      handler.sendHeader('Content-Length', 0);
      sendValidators();
      handler.endHeaders();
      return;
    }
    ranges = parsed;
  }

  if (ranges !== null && ranges.length > 1) {
    return sendMultipart(handler, source, size, file.type, ranges, sendValidators);
  }
  const range = ranges?.[0] ?? null;
  handler.sendResponse(range === null ? status : 206);
  handler.sendHeader('Content-Type', file.type);
  if (coding !== null) handler.sendHeader('Content-Encoding', coding);
  else if (status === 200 && file.variant === undefined) handler.sendHeader('Accept-Ranges', 'bytes');
  if (range !== null) handler.sendHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  if (onTheFly === null)
    handler.sendHeader('Content-Length', range === null ? size : range.end - range.start + 1);
  sendValidators();
  handler.endHeaders();
  if (handler.command === 'HEAD' || size === 0) return;
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  if (sibling === null && onTheFly === null && file.data !== null) {
    // From memory: one write, no file-system call (and no view to make for the whole file), straight to the
    // exchange: a `wfile` stream made for one write would cost more than the rest of the body's path.
    handler.exchange.write(range === null ? file.data : file.data.subarray(start, end + 1));
    return;
  }
  if (onTheFly === null)
    return sendFileRange(source, start, end, handler.wfile, handler.exchange.connection.socket);
  return pipeline(
    file.variant === undefined
      ? createReadStream(source, { start, end, highWaterMark: FILE_CHUNK_BYTES })
      : Readable.from([file.data!]),
    compressor(onTheFly),
    handler.wfile,
  );
}

/** Quality picked for on-the-fly speed: brotli 4 and gzip 6 compress text well at a few hundred MB/s. */
function compressor(coding: Coding): zlib.BrotliCompress | zlib.Gzip {
  return coding === 'br'
    ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })
    : zlib.createGzip({ level: 6 });
}

/** Several ranges as multipart/byteranges (RFC 9110 §14.6), with an exact Content-Length. */
async function sendMultipart(
  handler: BaseHTTPRequestHandler,
  source: string,
  size: number,
  type: string,
  ranges: ByteRange[],
  sendValidators: () => void,
): Promise<void> {
  const boundary = randomBytes(12).toString('hex');
  const heads = ranges.map(
    (r, i) =>
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    heads.reduce((n, s) => n + Buffer.byteLength(s), 0) +
    ranges.reduce((n, r) => n + r.end - r.start + 1, 0) +
    tail.length;
  handler.sendResponse(206);
  handler.sendHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  handler.sendHeader('Accept-Ranges', 'bytes');
  handler.sendHeader('Content-Length', length);
  sendValidators();
  handler.endHeaders();
  if (handler.command === 'HEAD') return;
  const wfile = handler.wfile;
  for (const [i, r] of ranges.entries()) {
    wfile.write(heads[i]);
    await sendFileRange(source, r.start, r.end, wfile, handler.exchange.connection.socket);
  }
  wfile.write(tail);
}

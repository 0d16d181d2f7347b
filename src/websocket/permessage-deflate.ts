import zlib from 'node:zlib';
import type { NegotiatedDeflate } from '../protocol/websocket/deflate-offer.js';
import { DeflateClosedError, DeflateDataError, DeflateTooLargeError } from './deflate-errors.js';

/** The empty stored block a sync flush ends with: stripped after deflate, restored before inflate (§7.2). */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/**
 * zlib refuses an 8-bit window for raw deflate. Its 9-bit window is no wider in effect: matches reach back at
 * most 2^9 - 262 = 250 bytes, which an inflater with an 8-bit window resolves.
 */
const MIN_DEFLATE_BITS = 9;

/** How a codec call reports: the output bytes, or the error that fails the connection. */
export type DeflateCallback = (err: Error | null, out?: Buffer) => void;

/** One call waiting for its direction's zlib stream. */
interface Job {
  data: Buffer;
  fin: boolean;
  cb: DeflateCallback;
}

/** One direction: its stream (made at first use), the calls in order (the first is running), its output. */
interface Lane<S extends zlib.DeflateRaw | zlib.InflateRaw> {
  stream: S | null;
  queue: Job[];
  /** Whether the first call of `queue` is in zlib's hands. */
  running: boolean;
  chunks: Buffer[];
  size: number;
  /** Set once the stream failed: every later call of this direction gets it. */
  error: Error | null;
}

/**
 * The permessage-deflate codec of one WebSocket (RFC 7692 §7.2) on node:zlib raw deflate and inflate: one
 * stream per direction, made at first use (an idle socket holds none), calls answered in the order made.
 * Context takeover is kept or reset after each message as negotiated. Inflated bytes are counted as zlib
 * produces them: past `maxPayload` the inflate is destroyed at once and the call fails with
 * DeflateTooLargeError (close 1009); data that does not inflate fails with DeflateDataError (close 1007).
 * After an error a direction stays failed: the connection is to be closed.
 */
export class PerMessageDeflate {
  private readonly deflateLane: Lane<zlib.DeflateRaw> = newLane();
  private readonly inflateLane: Lane<zlib.InflateRaw> = newLane();
  private readonly maxPayload: number;
  private readonly threshold: number;
  private closed = false;

  constructor(
    private readonly params: NegotiatedDeflate,
    options: {
      /** Largest inflated message, bytes (Infinity for none). */
      maxPayload: number;
      /** Messages shorter than this many bytes are sent uncompressed (see `shouldCompress`). */
      threshold: number;
    },
  ) {
    this.maxPayload = options.maxPayload;
    this.threshold = options.threshold;
  }

  /**
   * Whether a message of `size` bytes is worth compressing: the WebSocket asks before each send and sends
   * smaller ones as plain frames (RSV1 clear), as RFC 7692 §6 allows.
   */
  shouldCompress(size: number): boolean {
    return size >= this.threshold;
  }

  /** Compresses one whole message; `out` is the payload of its frames, trailer stripped (§7.2.1). */
  compress(data: Buffer, fin: true, cb: DeflateCallback): void {
    this.enqueue(this.deflateLane, { data, fin, cb });
  }

  /**
   * Inflates one frame's payload of a compressed message. Frames before the last answer with no `out`; the
   * last (`fin`) answers with the whole message.
   */
  decompress(data: Buffer, fin: boolean, cb: DeflateCallback): void {
    this.enqueue(this.inflateLane, { data, fin, cb });
  }

  /** Frees both zlib streams. Calls still waiting are abandoned: their callbacks never run. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of [this.deflateLane, this.inflateLane]) {
      lane.stream?.destroy();
      lane.stream = null;
      lane.queue.length = 0;
      lane.running = false;
      lane.chunks = [];
    }
  }

  private enqueue(lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>, job: Job): void {
    if (this.closed) throw new DeflateClosedError();
    lane.queue.push(job);
    if (!lane.running) this.start(lane);
  }

  private start(lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>): void {
    lane.running = true;
    if (lane.error !== null) {
      this.finish(lane, lane.error);
      return;
    }
    if (lane === this.deflateLane) this.runDeflate(lane.queue[0]!);
    else this.runInflate(lane.queue[0]!);
  }

  /** Answers the running call of `lane`, then starts the next (unless the callback did, or closed us). */
  private finish(lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>, err: Error | null, out?: Buffer): void {
    const job = lane.queue.shift()!;
    lane.running = false;
    job.cb(err, out);
    if (!lane.running && lane.queue.length > 0 && !this.closed) this.start(lane);
  }

  private runDeflate(job: Job): void {
    const lane = this.deflateLane;
    const stream = (lane.stream ??= this.openDeflate());
    stream.write(job.data);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      if (lane.stream !== stream || lane.error !== null) return;
      const out = take(lane);
      if (this.params.serverNoContextTakeover) stream.reset();
      this.finish(lane, null, out.subarray(0, out.length - TRAILER.length));
    });
  }

  private runInflate(job: Job): void {
    const lane = this.inflateLane;
    const stream = (lane.stream ??= this.openInflate());
    stream.write(job.data);
    if (job.fin) stream.write(TRAILER);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      if (lane.stream !== stream || lane.error !== null) return;
      if (!job.fin) {
        this.finish(lane, null);
        return;
      }
      const out = take(lane);
      if (this.params.clientNoContextTakeover) stream.reset();
      this.finish(lane, null, out);
    });
  }

  private openDeflate(): zlib.DeflateRaw {
    const stream = zlib.createDeflateRaw({
      windowBits: Math.max(this.params.serverMaxWindowBits, MIN_DEFLATE_BITS),
    });
    this.listen(this.deflateLane, stream, (err) => err);
    return stream;
  }

  private openInflate(): zlib.InflateRaw {
    const lane = this.inflateLane;
    const stream = zlib.createInflateRaw({ windowBits: this.params.clientMaxWindowBits });
    // Before the collecting listener: the chunk that crosses the limit is never kept.
    stream.on('data', (chunk: Buffer) => {
      if (lane.size + chunk.length > this.maxPayload)
        this.fail(lane, new DeflateTooLargeError(this.maxPayload));
    });
    this.listen(lane, stream, (err) => new DeflateDataError(err));
    return stream;
  }

  /** Collects a stream's output and turns its zlib error into the lane's failure. */
  private listen(
    lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>,
    stream: zlib.DeflateRaw | zlib.InflateRaw,
    wrap: (err: Error) => Error,
  ): void {
    stream.on('data', (chunk: Buffer) => {
      if (lane.error !== null) return;
      lane.chunks.push(chunk);
      lane.size += chunk.length;
    });
    stream.on('error', (err: Error) => this.fail(lane, wrap(err)));
  }

  /** Fails the running call and every later one of `lane`; the stream is destroyed at once. */
  private fail(lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>, err: Error): void {
    if (lane.error !== null || this.closed) return;
    lane.error = err;
    lane.chunks = [];
    lane.size = 0;
    lane.stream?.destroy();
    if (lane.queue.length > 0) this.finish(lane, err);
  }
}

function newLane<S extends zlib.DeflateRaw | zlib.InflateRaw>(): Lane<S> {
  return { stream: null, queue: [], running: false, chunks: [], size: 0, error: null };
}

/** The lane's output so far as one buffer; the lane starts collecting afresh. */
function take(lane: Lane<zlib.DeflateRaw> | Lane<zlib.InflateRaw>): Buffer {
  const out = lane.chunks.length === 1 ? lane.chunks[0]! : Buffer.concat(lane.chunks, lane.size);
  lane.chunks = [];
  lane.size = 0;
  return out;
}

import zlib from 'node:zlib';

/** The empty stored block RFC 7692 §7.2.1 strips from each compressed message. */
export const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * The other end's permessage-deflate, written plainly on its own zlib streams (not the codec under test): a
 * test client compresses what it sends and inflates what it gets with it, keeping context between messages
 * unless told not to.
 */
export class DeflatePeer {
  private deflater: zlib.DeflateRaw;
  private inflater: zlib.InflateRaw;

  constructor(
    private readonly options: {
      /** Window this end compresses with (zlib's raw deflate takes 9-15). */
      deflateBits?: number;
      /** Window this end inflates with (8-15). */
      inflateBits?: number;
      /** Start each outgoing message with an empty context. */
      noContextTakeover?: boolean;
    } = {},
  ) {
    this.deflater = zlib.createDeflateRaw({ windowBits: options.deflateBits ?? 15 });
    this.inflater = zlib.createInflateRaw({ windowBits: options.inflateBits ?? 15 });
  }

  /** One message compressed, trailer stripped: the payload of its frames. */
  async deflate(message: Buffer): Promise<Buffer> {
    const out = await run(this.deflater, [message]);
    if (this.options.noContextTakeover) this.deflater.reset();
    return out.subarray(0, out.length - TRAILER.length);
  }

  /** One compressed message inflated, with the context of those before it. */
  async inflate(payload: Buffer): Promise<Buffer> {
    return run(this.inflater, [payload, TRAILER]);
  }

  close(): void {
    this.deflater.close();
    this.inflater.close();
  }
}

/** Writes `inputs` and a sync flush, and gathers the output up to it. */
function run(stream: zlib.DeflateRaw | zlib.InflateRaw, inputs: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => void chunks.push(chunk);
    stream.on('data', onData);
    stream.once('error', reject);
    for (const input of inputs) stream.write(input);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Bytes that compress well and hold matches at many distances (up to `reach` bytes back), so a window
 * narrower than the data needs shows.
 */
export function repetitive(size: number, reach = 32 * 1024, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff);
  let i = 0;
  while (i < size) {
    const back = next() % Math.min(reach, i + 1);
    const run = 4 + (next() % 60);
    if (i > 0 && back > 0 && next() % 4 !== 0) {
      for (let j = 0; j < run && i < size; j++, i++) out[i] = out[i - back]!;
    } else {
      for (let j = 0; j < 8 && i < size; j++, i++) out[i] = next() & 0xff;
    }
  }
  return out;
}

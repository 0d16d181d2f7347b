/** STUB until ws-deflate is merged: the codec's names and signatures only. */
import type { NegotiatedDeflate } from '../protocol/websocket/deflate-offer.js';
export type DeflateCallback = (err: Error | null, out?: Buffer) => void;
export class PerMessageDeflate {
  constructor(
    readonly params: NegotiatedDeflate,
    readonly options: { maxPayload: number; threshold: number },
  ) {}
  shouldCompress(size: number): boolean {
    return size >= this.options.threshold;
  }
  compress(data: Buffer, _fin: true, cb: DeflateCallback): void {
    cb(null, data);
  }
  decompress(data: Buffer, _fin: boolean, cb: DeflateCallback): void {
    cb(null, data);
  }
  close(): void {}
}

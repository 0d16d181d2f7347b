/** FIN bit of a frame's first byte: the last frame of its message. */
export const FIN = 0x80;
/** RSV1 bit: with permessage-deflate, set on a compressed message's first frame (RFC 7692 §6). */
export const RSV1 = 0x40;

/** The header length of a frame carrying `length` payload bytes, with (client role) or without a mask key. */
export function frameHeaderSize(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  return masked ? base + 4 : base;
}

/**
 * Writes a frame header into `target` at `offset` and returns where the payload starts. `first` is the
 * first byte (opcode | FIN | RSV1); the length takes the shortest form (RFC 6455 §5.2: 7 bits, 16 or 64);
 * `mask` (4 bytes, client role) follows it when given.
 */
export function writeFrameHeader(
  target: Buffer,
  offset: number,
  first: number,
  length: number,
  mask: Uint8Array | null,
): number {
  const maskBit = mask === null ? 0 : 0x80;
  target[offset] = first;
  let at = offset + 2;
  if (length < 126) {
    target[offset + 1] = maskBit | length;
  } else if (length < 0x10000) {
    target[offset + 1] = maskBit | 126;
    target.writeUInt16BE(length, at);
    at += 2;
  } else {
    target[offset + 1] = maskBit | 127;
    target.writeUInt32BE(Math.floor(length / 0x100000000), at);
    target.writeUInt32BE(length >>> 0, at + 4);
    at += 8;
  }
  if (mask !== null) {
    target.set(mask.subarray(0, 4), at);
    at += 4;
  }
  return at;
}

/** A frame header alone, for a payload written after it. */
export function frameHeader(first: number, length: number, mask: Uint8Array | null = null): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderSize(length, mask !== null));
  writeFrameHeader(header, 0, first, length, mask);
  return header;
}

/** FIN bit of a frame's first byte: the last frame of its message. */
export const FIN = 0x80;
/** RSV1 bit: with permessage-deflate, set on a compressed message's first frame (RFC 7692 §6). */
export const RSV1 = 0x40;

/** The header length of an unmasked frame (the server's) carrying `length` payload bytes. */
export function frameHeaderSize(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/**
 * Writes an unmasked frame header (the server's) into `target` at `offset` and returns where the payload
 * starts. `first` is the first byte (opcode | FIN | RSV1); the length takes the shortest form (RFC 6455
 * §5.2: 7 bits, 16 or 64).
 */
export function writeFrameHeader(target: Buffer, offset: number, first: number, length: number): number {
  target[offset] = first;
  if (length < 126) {
    target[offset + 1] = length;
    return offset + 2;
  }
  if (length < 0x10000) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    return offset + 4;
  }
  target[offset + 1] = 127;
  target.writeUInt32BE(Math.floor(length / 0x100000000), offset + 2);
  target.writeUInt32BE(length >>> 0, offset + 6);
  return offset + 10;
}

/** A frame header alone, for a payload written after it. */
export function frameHeader(first: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderSize(length));
  writeFrameHeader(header, 0, first, length);
  return header;
}

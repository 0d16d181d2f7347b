/** Whether this machine stores a Uint32 little-endian first, so a 4-byte mask can be applied a word at a time. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Below this many bytes the byte loop wins: a typed-array view costs more than it saves (measured: even at 64, 2x faster at 128). */
const WORD_LOOP_MIN = 96;

/**
 * XORs `data` in place with the 4-byte `mask` (RFC 6455 §5.3), starting at byte `phase` (0-3) of the mask:
 * a payload that arrives in several pieces is unmasked piece by piece where it lies, never copied. The
 * same call masks (XOR is its own inverse). Long pieces go a 32-bit word at a time from the first aligned byte.
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, phase: number): void {
  const length = data.length;
  let i = 0;
  if (length >= WORD_LOOP_MIN) {
    const start = data.byteOffset;
    for (; ((start + i) & 3) !== 0; i++) data[i]! ^= mask[(phase + i) & 3]!;
    const words = (length - i) >>> 2;
    const p = phase + i;
    const b0 = mask[p & 3]!;
    const b1 = mask[(p + 1) & 3]!;
    const b2 = mask[(p + 2) & 3]!;
    const b3 = mask[(p + 3) & 3]!;
    const word = LITTLE_ENDIAN
      ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)
      : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
    const view = new Int32Array(data.buffer, start + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i += words << 2;
  }
  for (; i < length; i++) data[i]! ^= mask[(phase + i) & 3]!;
}

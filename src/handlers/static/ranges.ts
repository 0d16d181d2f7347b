/** One byte range, both ends inclusive, within a representation of known size. */
export interface ByteRange {
  start: number;
  end: number;
}

/** More ranges than this in one request is an amplification attempt, not a media player. */
const MAX_RANGES = 16;

/**
 * Parses a Range header (RFC 9110 §14.2) against a representation of `size` bytes. Returns the ranges to
 * send (sorted, overlapping and adjacent ones merged), 'unsatisfiable' when none overlaps the content
 * (416), or null when the header must be ignored and the whole representation sent: another unit, bad
 * syntax, or too many ranges.
 */
export function parseRange(header: string, size: number): ByteRange[] | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (m === null) return null;
  const specs = m[1]!.split(',');
  if (specs.length > MAX_RANGES * 4) return null;
  const ranges: ByteRange[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue;
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix === 0) continue;
      ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(r[1]);
    const end = r[2] === '' ? Infinity : Number(r[2]);
    if (end < start) return null;
    if (start >= size) continue; // unsatisfiable on its own, `a-` past the end included
    ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  ranges.sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [ranges[0]!];
  for (const r of ranges.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push(r);
  }
  return merged.length > MAX_RANGES ? null : merged;
}

import mime from 'mime-types';
import { mediaType } from '../../protocol/media-type.js';

/** Types sent with `; charset=utf-8`: text a browser would otherwise guess the encoding of. */
function isText(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/manifest+json' ||
    type === 'application/xml' ||
    type === 'image/svg+xml'
  );
}

/** Modern answers where the MIME database still carries an old one. */
const PREFERRED: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/**
 * Python's `guess_type`: the Content-Type for a file name, from the mime-types database, with per-extension
 * `overrides` (keys like `.txt`) first. Unknown types are `application/octet-stream`.
 */
export function guessType(fileName: string, overrides: Readonly<Record<string, string>> = {}): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot).toLowerCase() : '';
  const known = Object.hasOwn(overrides, ext) ? overrides[ext] : PREFERRED[ext];
  const type = known ?? (ext === '' ? false : mime.lookup(ext));
  if (type === false) return 'application/octet-stream';
  return isText(type) && !type.includes('charset') ? `${type}; charset=utf-8` : type;
}

/** Types worth compressing on the fly: text-like ones (images, video and archives are compressed already). */
export function isCompressible(type: string): boolean {
  const bare = mediaType(type);
  return (
    isText(bare) ||
    bare === 'text/javascript' ||
    bare === 'application/wasm' ||
    mime.charset(bare) === 'UTF-8'
  );
}

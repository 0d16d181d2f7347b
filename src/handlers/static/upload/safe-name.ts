import { CONTROL_RE } from '../../../server/access-log.js';

/** Most bytes in a file name on the common file systems (ext4, APFS, NTFS in UTF-16 allows more). */
const MOST_NAME_BYTES = 255;

/**
 * The name a file part of a form is saved under, from the name the client sent: only what follows its last
 * `/` or `\` (a browser on Windows may send a whole path; a hostile client sends `../../x`), without control
 * characters and without leading dots or spaces (so `.env` is saved as `env`, never as a hidden file). Null
 * when nothing usable is left (`..`, `.`, an empty name) or the name is longer than a file system takes.
 */
export function safeBaseName(sent: string): string | null {
  const base = sent.slice(Math.max(sent.lastIndexOf('/'), sent.lastIndexOf('\\')) + 1);
  const name = base
    .replace(CONTROL_RE, '')
    .replace(/^[.\s]+/, '')
    .trimEnd();
  if (name === '' || Buffer.byteLength(name) > MOST_NAME_BYTES) return null;
  return name;
}

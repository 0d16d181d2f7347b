import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/**
 * How every upload's temporary file is named: a dotfile, so it is hidden, and a prefix of its own, so it is
 * never listed or served even with `dotfiles` on.
 */
export const UPLOAD_TEMP_PREFIX = '.basehttp-upload-';

/** Whether a file name is an upload's temporary file. */
export function isUploadTemp(name: string): boolean {
  return name.startsWith(UPLOAD_TEMP_PREFIX);
}

/**
 * A new temporary file's path in `dir`, the directory of the final file: a rename or link into place then
 * stays on one file system, so placing it is atomic.
 */
export function tempPathIn(dir: string): string {
  return path.join(dir, UPLOAD_TEMP_PREFIX + randomBytes(8).toString('hex'));
}

/**
 * Puts the complete temporary file at `file` unless something is there already: true when placed, false
 * when the name is taken. A hard link fails with EEXIST rather than replace, so of two uploads racing for a
 * new name exactly one wins. The caller removes the temporary file.
 */
export async function placeNew(temp: string, file: string): Promise<boolean> {
  try {
    await fsp.link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Puts the complete temporary file at `file`, replacing a file there: a reader sees the old bytes or the new. */
export function placeOver(temp: string, file: string): Promise<void> {
  return fsp.rename(temp, file);
}

/** Most numbered names tried for a form's file whose name is taken. */
const MOST_NUMBERS = 100;

/**
 * Puts the temporary file in `dir` under `name`, or, when that is taken, the first free of `name (1).ext`,
 * `name (2).ext`, … as browsers number downloads: the name it got, or null when none was free.
 */
export async function placeNumbered(temp: string, dir: string, name: string): Promise<string | null> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; n < MOST_NUMBERS; n++) {
    const candidate = n === 0 ? name : `${stem} (${n})${ext}`;
    if (await placeNew(temp, path.join(dir, candidate))) return candidate;
  }
  return null;
}

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { HTTPStatusError } from '../../../connection/status-error.js';
import { pathSegments, targetPath } from '../../../protocol/target-path.js';
import type { UploadOptions } from './upload-options.js';

/** What the upload code needs of the handler: where files go and the rules they obey. */
export interface UploadContext {
  /** The served directory. */
  readonly directory: string;
  /** The upload options in force. */
  readonly upload: UploadOptions;
  /**
   * Whether a file may be written at the real path `real` (which may not exist yet), reached by the URL
   * `segments`: the handler's read rules (dotfiles, symlinks out of the tree) and its own refusals (CGI).
   */
  mayWrite(real: string, root: string, segments: readonly string[]): boolean;
  /** Called with each file placed, so what the server cached of an older file by that name goes. */
  placed(file: string): void;
}

/**
 * Whether a URL path holds a `..` segment (encoded or not). Reading resolves one against the root; a write
 * is refused instead (403), since the file it lands in would not be the one the client named.
 */
export function namesParent(urlPath: string): boolean {
  const segments = pathSegments(targetPath(urlPath), true);
  return segments !== null && segments.includes('..'); // null: translatePath refuses it (400)
}

/**
 * The real path of the directory an upload goes into, named by the URL `segments` under the served
 * directory, for a file `name` (null: the directory itself is the target). The rules are judged on the
 * real path of the nearest directory that exists, with the missing rest and the name appended: 403 when
 * they refuse it; 409 when a file stands where a directory is needed, or when directories are missing and
 * `mkdir` is off (as WebDAV's PUT, RFC 4918 §9.7.1, and nginx's dav module); with `mkdir` they are created.
 */
export async function uploadDirectory(
  context: UploadContext,
  segments: readonly string[],
  name: string | null,
): Promise<string> {
  const root = await fsp.realpath(context.directory);
  const realAt = (depth: number): Promise<string | null> =>
    fsp.realpath(path.join(context.directory, ...segments.slice(0, depth))).catch(() => null);
  let found = segments.length;
  let real = await realAt(found);
  while (real === null) real = await realAt(--found); // depth 0, the served directory, exists
  const missing = segments.slice(found);
  const wouldBe = path.join(real, ...missing, ...(name === null ? [] : [name]));
  if (!context.mayWrite(wouldBe, root, name === null ? segments : [...segments, name]))
    throw new HTTPStatusError(403, 'Writing there is not allowed');
  const existing = `/${segments.slice(0, found).join('/')}`;
  if (!(await fsp.stat(real)).isDirectory())
    throw new HTTPStatusError(409, `${existing} is a file, not a directory`);
  if (missing.length === 0) return real;
  if (!context.upload.mkdir)
    throw new HTTPStatusError(409, `No directory /${segments.join('/')} (--mkdir creates missing ones)`);
  const dir = path.join(real, ...missing);
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new HTTPStatusError(409, `Cannot create the directory /${segments.join('/')}`, { cause: err });
  }
  return dir;
}

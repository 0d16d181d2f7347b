import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { HTTPStatusError } from '../../../connection/status-error.js';
import { declaredTooLarge } from '../../../server/request-bodies.js';
import type { BaseHTTPRequestHandler } from '../../../server/request-handler.js';
import { translatePath } from '../translate-path.js';
import { ByteBudget } from './byte-budget.js';
import { placeNew, placeOver } from './place-file.js';
import { namesParent, uploadDirectory, type UploadContext } from './upload-target.js';
import { writeTemp } from './write-temp.js';

/**
 * `PUT /path`: the body becomes that file — 201 for a new file, 204 for one replaced (`overwrite`), 409 when
 * it exists without `overwrite`. Every refusal that does not need the body (path rules 403, 409, a
 * Content-Length over the limit 413) comes before it is read, so a client that sent `Expect: 100-continue`
 * is refused without uploading. The body streams into a temporary file beside the target, put in place
 * only once complete.
 */
export async function putUpload(handler: BaseHTTPRequestHandler, context: UploadContext): Promise<void> {
  const translated = translatePath(handler.path, context.directory);
  if (translated === null) throw new HTTPStatusError(400, 'Bad path');
  if (namesParent(handler.path)) throw new HTTPStatusError(403, 'A path to write may not hold ..');
  const name = translated.segments.at(-1);
  if (name === undefined || translated.trailingSlash)
    throw new HTTPStatusError(409, 'PUT names a file, not a directory');
  const dir = await uploadDirectory(context, translated.segments.slice(0, -1), name);
  const file = path.join(dir, name);
  const { overwrite, maxBytes } = context.upload;
  await refuseExisting(context, file, translated.segments, overwrite);
  const refused = maxBytes === null ? null : declaredTooLarge(handler.exchange.head?.framing, maxBytes);
  if (refused !== null) throw refused;
  const temp = await writeTemp(handler.rfile, dir, new ByteBudget(maxBytes));
  let replaced = false;
  try {
    if (overwrite) {
      replaced = (await fsp.lstat(file).catch(() => null)) !== null;
      await placeOver(temp, file);
    } else if (!(await placeNew(temp, file))) {
      throw exists();
    }
  } finally {
    await fsp.rm(temp, { force: true });
  }
  context.placed(file);
  handler.sendResponse(replaced ? 204 : 201);
  if (!replaced) handler.sendHeader('Location', handler.pathname);
  handler.sendHeader('Content-Length', 0);
  handler.endHeaders();
}

/**
 * Refuses, before the body is read, a target that cannot be written: a directory (409), a file when
 * replacing is off (409), a symlink whose target the rules refuse (403).
 */
async function refuseExisting(
  context: UploadContext,
  file: string,
  segments: readonly string[],
  overwrite: boolean,
): Promise<void> {
  const lst = await fsp.lstat(file).catch(() => null);
  if (lst === null) return;
  if (lst.isSymbolicLink()) {
    const real = await fsp.realpath(file).catch(() => null);
    if (real !== null && !context.mayWrite(real, await fsp.realpath(context.directory), segments))
      throw new HTTPStatusError(403, 'Writing there is not allowed');
  }
  if ((await fsp.stat(file).catch(() => lst)).isDirectory())
    throw new HTTPStatusError(409, 'A directory has that name');
  if (!overwrite) throw exists();
}

/** The 409 for a file that is there and may not be replaced. */
function exists(): HTTPStatusError {
  return new HTTPStatusError(409, 'The file exists (--overwrite replaces files)');
}

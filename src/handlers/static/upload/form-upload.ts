import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { HTTPStatusError } from '../../../connection/status-error.js';
import { mediaType } from '../../../protocol/media-type.js';
import { namesMediaType } from '../../../protocol/weighted-lists.js';
import { unsupportedType } from '../../../server/request-bodies.js';
import type { BaseHTTPRequestHandler } from '../../../server/request-handler.js';
import { translatePath } from '../translate-path.js';
import { ByteBudget } from './byte-budget.js';
import { placeNumbered, placeOver } from './place-file.js';
import { receiveFormFiles, type ReceivedFile } from './receive-form-files.js';
import { namesParent, uploadDirectory, type UploadContext } from './upload-target.js';

/** One file a form upload saved, as the JSON answer lists it. */
interface SavedFile {
  name: string;
  size: number;
  url: string;
}

/**
 * `POST` of `multipart/form-data` to a directory URL: each file part is saved there under its safe base
 * name. A taken name gets the first free numbered one (`a (1).txt`), or is replaced with `overwrite`. Files
 * are put in place only once the whole body has arrived, so a failed or aborted form saves nothing. The
 * answer: `201` with JSON of what was saved (`{"saved":[{name,size,url}]}`) when the client accepts JSON,
 * else `303` back to the directory, where a browser sees the listing with the new files.
 */
export async function formUpload(handler: BaseHTTPRequestHandler, context: UploadContext): Promise<void> {
  const translated = translatePath(handler.path, context.directory);
  if (translated === null) throw new HTTPStatusError(400, 'Bad path');
  if (namesParent(handler.path)) throw new HTTPStatusError(403, 'A path to write may not hold ..');
  const contentType = handler.headers.get('content-type');
  const type = mediaType(contentType);
  if (type !== 'multipart/form-data') throw unsupportedType(type, 'multipart/form-data');
  const dir = await uploadDirectory(context, translated.segments, null);
  const received = await receiveFormFiles(
    handler.rfile,
    contentType!,
    dir,
    new ByteBudget(context.upload.maxBytes),
  );
  const dirUrl = translated.segments.map((s) => `/${encodeURIComponent(s)}`).join('') + '/';
  const saved: SavedFile[] = [];
  try {
    if (received.length === 0) throw new HTTPStatusError(400, 'The form holds no file');
    for (const file of received) {
      const name = await place(file, dir, context.upload.overwrite);
      if (name === null) throw new HTTPStatusError(409, `No free name for ${file.name}`);
      const placed = path.join(dir, name);
      context.placed(placed);
      saved.push({ name, size: (await fsp.stat(placed)).size, url: dirUrl + encodeURIComponent(name) });
    }
  } finally {
    for (const file of received) await fsp.rm(file.temp, { force: true });
  }
  if (namesMediaType(handler.headers.get('accept'), 'application/json')) {
    const body = Buffer.from(JSON.stringify({ saved }));
    handler.sendResponse(201);
    handler.sendHeader('Content-Type', 'application/json; charset=utf-8');
    handler.sendHeader('Content-Length', body.length);
    handler.endHeaders();
    handler.wfile.write(body);
    return;
  }
  handler.sendResponse(303);
  handler.sendHeader('Location', dirUrl);
  handler.sendHeader('Content-Length', 0);
  handler.endHeaders();
}

/** Puts a received file in `dir`: over a file of its name with `overwrite`, else under a free name. */
async function place(file: ReceivedFile, dir: string, overwrite: boolean): Promise<string | null> {
  const target = path.join(dir, file.name);
  if (overwrite && !(await fsp.stat(target).catch(() => null))?.isDirectory()) {
    await placeOver(file.temp, target);
    return file.name;
  }
  return placeNumbered(file.temp, dir, file.name);
}

import { Busboy } from '@fastify/busboy';
import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { HTTPStatusError } from '../../../connection/status-error.js';
import { malformed } from '../../../server/request-bodies.js';
import type { ByteBudget } from './byte-budget.js';
import { safeBaseName } from './safe-name.js';
import { writeTemp } from './write-temp.js';

/** A file part of a form, received whole into a temporary file. */
export interface ReceivedFile {
  /** The safe base name it is to be saved under. */
  readonly name: string;
  /** Its temporary file, in the target directory. */
  readonly temp: string;
}

/** A form's fields are not saved: these bound what the parser holds of them. */
const FIELD_LIMITS = { fields: 100, fieldSize: 64 * 1024, parts: 1000 };

/**
 * Reads a `multipart/form-data` body with `@fastify/busboy` (the streaming parser the handler API's
 * `readForm` uses), each file part streamed into its own temporary file in `dir` as it arrives, with
 * backpressure, every byte counted against `budget`. Other fields are read and dropped; a part sent
 * without a file (a form's empty file input) is skipped. Resolves once the whole body is read; on any
 * failure (400 malformed or a name with nothing usable in it, 413, the client gone) every temporary file is
 * removed before the error is thrown.
 */
export async function receiveFormFiles(
  body: Readable,
  contentType: string,
  dir: string,
  budget: ByteBudget,
): Promise<ReceivedFile[]> {
  let parser: ReturnType<typeof Busboy>;
  try {
    // The name as sent (no basename of the parser's): ours tells an empty file input from a hostile name.
    parser = Busboy({ headers: { 'content-type': contentType }, limits: FIELD_LIMITS, preservePath: true });
  } catch (err) {
    throw malformed(err); // no boundary
  }
  const files: Array<Promise<ReceivedFile>> = [];
  const streaming = new Set<Readable>();
  let fail!: (err: unknown) => void;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(ignore);
  parser.on('file', (_field: string, stream: Readable, sentName: string | undefined) => {
    const name = safeBaseName(sentName ?? '');
    if (name === null) {
      stream.resume();
      if (sentName) fail(new HTTPStatusError(400, `No usable file name in ${JSON.stringify(sentName)}`));
      return;
    }
    streaming.add(stream);
    stream.once('close', () => streaming.delete(stream));
    const file = writeTemp(stream, dir, budget).then((temp) => ({ name, temp }));
    file.catch(fail);
    files.push(file);
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('finish', resolve);
    parser.on('error', (err: unknown) => reject(malformed(err)));
  });
  parsed.catch(ignore);
  try {
    for await (const chunk of body) {
      if (!parser.write(chunk))
        await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), parsed, failed]);
    }
    parser.end();
    await Promise.race([parsed, failed]);
    return await Promise.race([Promise.all(files), failed]);
  } catch (err) {
    parser.destroy();
    for (const stream of streaming) stream.destroy(); // its writeTemp fails and removes its file
    await removeTemps(files);
    throw err;
  }
}

/** Removes the temporary files of the parts received whole (the others removed their own). */
async function removeTemps(files: Array<Promise<ReceivedFile>>): Promise<void> {
  for (const settled of await Promise.allSettled(files))
    if (settled.status === 'fulfilled') await fsp.rm(settled.value.temp, { force: true });
}

function ignore(): void {}

import { Busboy } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import { HTTPStatusError } from '../connection/status-error.js';
import { mediaType } from '../protocol/media-type.js';
import type { BodyFraming } from '../protocol/message-reader.js';

/**
 * Reading a request body as JSON or as a form, within a size limit, each refusal an HTTPStatusError: 413 for
 * a body over the limit, 415 for a Content-Type the reader does not take, 400 for a body that does not parse.
 * The handler's `readJson()` / `readForm()` call these; an uncaught refusal is answered with its status.
 */

/** `application/json` and the `+json` types (RFC 6839), which hold JSON too. */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** The 413 for a body over `maxBytes`, said the same way wherever a limit is met. */
export function tooLarge(maxBytes: number): HTTPStatusError {
  return new HTTPStatusError(413, `Request body larger than ${maxBytes} bytes`);
}

/**
 * The 413 for a body whose Content-Length already says it is over `maxBytes`, so it is refused before a byte
 * is read (and before `100 Continue` invites it); null when it may be read.
 */
export function declaredTooLarge(framing: BodyFraming | undefined, maxBytes: number): HTTPStatusError | null {
  return framing?.kind === 'length' && framing.length > maxBytes ? tooLarge(maxBytes) : null;
}

/** The 415 for a body in a type the reader does not take, naming the ones it does. */
export function unsupportedType(type: string, wanted: string): HTTPStatusError {
  return new HTTPStatusError(415, `Content-Type ${type === '' ? '(none)' : type}: expected ${wanted}`);
}

/** Parses a JSON body; 400 when it is not JSON (the parser's reason is the error's cause). */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HTTPStatusError(400, 'Request body is not valid JSON', { cause: err });
  }
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Reads an urlencoded or multipart form into a FormData (fields as strings, files as File), through
 * `@fastify/busboy`, a maintained streaming parser; files are held in memory, so `maxBytes` bounds the body
 * as a whole. The body is fed as it arrives and counting stops it at the limit.
 */
export async function readForm(
  body: Readable,
  contentType: string | undefined,
  maxBytes: number,
): Promise<FormData> {
  const type = mediaType(contentType);
  if (!FORM_TYPES.has(type))
    throw unsupportedType(type, 'application/x-www-form-urlencoded or multipart/form-data');
  let parser: ReturnType<typeof Busboy>;
  try {
    parser = Busboy({
      headers: { 'content-type': contentType! },
      limits: { fieldSize: maxBytes, fileSize: maxBytes },
    });
  } catch (err) {
    throw malformed(err); // multipart without a boundary
  }
  const entries: Array<Promise<[string, string | File]>> = [];
  parser.on('field', (name: string, value: string) => entries.push(Promise.resolve([name, value])));
  parser.on('file', (name: string, stream: Readable, fileName: string, _coding: string, mime: string) => {
    const file = collect(stream).then((data): [string, File] => [
      name,
      new File([data], fileName, { type: mime }),
    ]);
    file.catch(ignore); // a parser failure fails the file too; that failure is answered once, below
    entries.push(file);
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('finish', resolve);
    parser.on('error', (err: unknown) => reject(malformed(err)));
  });
  parsed.catch(ignore);
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      if (!parser.write(chunk))
        await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), parsed]);
    }
    parser.end();
    await parsed;
  } catch (err) {
    parser.destroy();
    throw err;
  }
  const form = new FormData();
  for (const [name, value] of await Promise.all(entries)) form.append(name, value);
  return form;
}

/** The 400 for a form that does not parse, its parser's reason as the cause (the file server's uploads too). */
export function malformed(cause: unknown): HTTPStatusError {
  return new HTTPStatusError(400, 'Malformed form body', { cause });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function ignore(): void {}

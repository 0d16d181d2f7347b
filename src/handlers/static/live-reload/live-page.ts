/** The representation of an HTML file that live reload serves: the file with the script in it. */
import { promises as fsp } from 'node:fs';
import type { FileToServe } from '../serve-content.js';
import { injectLiveScript } from './inject.js';

/** What the ETag of an injected page carries, so no cache mixes it up with the file's own bytes. */
const LIVE_VARIANT = '-live';

/** Injected pages by the cached file they were made from: made once per version of a file. */
const pages = new WeakMap<FileToServe, FileToServe>();

/**
 * The file with the live-reload script injected, served from memory (whole, with its own ETag and length).
 * Made once for a file the cache holds (a new version of the file is a new cache entry); a file too large
 * to cache is read and injected on each request.
 */
export async function livePage(file: FileToServe): Promise<FileToServe> {
  const made = pages.get(file);
  if (made !== undefined) return made;
  if (file.data === null) return injected(file, await fsp.readFile(file.path));
  const page = injected(file, file.data);
  pages.set(file, page);
  return page;
}

function injected(file: FileToServe, data: Buffer): FileToServe {
  const bytes = injectLiveScript(data);
  return { ...file, size: bytes.length, data: bytes, validators: new Map(), variant: LIVE_VARIANT };
}

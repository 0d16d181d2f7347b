import path from 'node:path';
import { pathSegments, targetPath } from '../../protocol/target-path.js';

/** A backslash separates segments where the file system says so (Windows). */
const BACKSLASH_SEPARATES = path.sep === '\\';

/** Where a URL path points inside the served directory. */
export interface TranslatedPath {
  /** Absolute file-system path, always inside the root. */
  readonly fsPath: string;
  /** The path segments under the root, decoded. */
  readonly segments: readonly string[];
  /** The decoded URL path ended with '/' (a directory was asked for). */
  readonly trailingSlash: boolean;
}

/**
 * Python's `translate_path`, made strict: the query and fragment are dropped, the path is percent-decoded
 * as UTF-8, and `.`/`..` are resolved against the root so no URL can name a file outside it — including
 * encoded forms (`%2e%2e`, `..%2f`, `%5c`). A backslash separates segments where the file system says so
 * (Windows); elsewhere it is part of a name, as in Python, so `..\x` is just a file that does not exist and a
 * listed `back\slash.txt` can be opened. Returns null for a path that cannot be decoded or holds a NUL byte:
 * the caller answers 400.
 */
export function translatePath(urlPath: string, root: string): TranslatedPath | null {
  let known = memo.get(root);
  if (known === undefined) memo.set(root, (known = new Map<string, TranslatedPath | null>()));
  let translated = known.get(urlPath);
  if (translated === undefined) {
    translated = translate(urlPath, root);
    if (known.size >= MEMO_ENTRIES) known.clear();
    known.set(urlPath, translated);
  }
  return translated;
}

/**
 * Translations already made, by root and URL path: a file server sees the same few paths again and again,
 * and decoding and joining them was a tenth of serving a small cached file. Bounded: emptied when full.
 * The results are shared, so nothing may change them.
 */
const memo = new Map<string, Map<string, TranslatedPath | null>>();
const MEMO_ENTRIES = 1024;

function translate(urlPath: string, root: string): TranslatedPath | null {
  const words = pathSegments(targetPath(urlPath), BACKSLASH_SEPARATES);
  if (words === null) return null; // malformed percent-encoding or UTF-8
  // A separator at the end of the decoded path leaves an empty last word after at least one other.
  const trailingSlash = words.length > 1 && words[words.length - 1] === '';
  const segments: string[] = [];
  for (const word of words) {
    if (word.includes('\0')) return null;
    if (word === '' || word === '.') continue;
    if (word === '..') segments.pop();
    else segments.push(word);
  }
  return { fsPath: path.join(root, ...segments), segments, trailingSlash };
}

import path from 'node:path';

const SEPARATORS = path.sep === '\\' ? /[/\\]+/ : /\/+/;
const SEPARATOR_AT_END = path.sep === '\\' ? /[/\\]$/ : /\/$/;

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
  let p = urlPath;
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  let decoded: string;
  try {
    decoded = decodeURIComponent(p);
  } catch {
    return null; // malformed percent-encoding or UTF-8
  }
  if (decoded.includes('\0')) return null;
  const trailingSlash = SEPARATOR_AT_END.test(decoded);
  const segments: string[] = [];
  for (const word of decoded.split(SEPARATORS)) {
    if (word === '' || word === '.') continue;
    if (word === '..') segments.pop();
    else segments.push(word);
  }
  return { fsPath: path.join(root, ...segments), segments, trailingSlash };
}

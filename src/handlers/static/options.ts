import path from 'node:path';
import { fieldLine } from '../../protocol/response-head.js';
import type { LogFormat } from '../../server/access-log.js';
import { InvalidServerOptionError } from '../../server/errors.js';
import { resolveUploadOptions, type UploadOptions } from './upload/upload-options.js';

/** How SimpleHTTPRequestHandler serves a directory. Every field has a default (see `resolveOptions`). */
export interface StaticOptions {
  /** The directory served. Default: the current directory. */
  directory: string;
  /** Files tried, in order, for a directory. Default `['index.html', 'index.htm']`. */
  indexPages: string[];
  /** Directory listings when no index page exists; false answers 404. Default true. */
  listing: boolean;
  /** Serve dotfiles (`.env`, `.git/…`); `.well-known` is always served. Default false. */
  dotfiles: boolean;
  /** Follow symlinks that resolve outside the directory. Default false. */
  followSymlinks: boolean;
  /** Send `Access-Control-Allow-Origin: *` and answer CORS preflight OPTIONS. Default false. */
  cors: boolean;
  /** Extra header fields on every response. */
  headers: Array<[string, string]>;
  /** A file (relative to the directory) served for unknown paths that accept HTML: single-page apps. */
  spa: string | null;
  /**
   * How long, in ms, the file server trusts what it cached about a path (the resolved file, its stat, and
   * the bytes of a small file) before one `stat` checks it again. Default 1000. The trade-off: a file
   * deleted or replaced is still served as it was for up to this long (nginx without `open_file_cache`
   * answers 404 at once); 0 checks on every request.
   */
  fileCacheMs: number;
  /** `Cache-Control: max-age` in seconds; null sends none. */
  cacheSeconds: number | null;
  /** HTTP Basic credentials required for every request; null for none. */
  auth: {
    /** The user name the client must send. */
    user: string;
    /** Its password. */
    password: string;
  } | null;
  /** Take uploads: PUT writes a file, a multipart POST to a directory saves its files. Default null: off (405). */
  upload: UploadOptions | null;
  /** `auth` guards writes only (every method but GET, HEAD and OPTIONS); reading is open. Default false. */
  authWritesOnly: boolean;
  /** Compress text-like responses with brotli or gzip when the client accepts it. Default true. */
  compression: boolean;
  /** Content-Type overrides by extension, e.g. `{ '.log': 'text/plain' }`. */
  extensionMap: Record<string, string>;
  /** Access log format; `python` is Python's line (coloured on a terminal). */
  logFormat: LogFormat;
  /** No access log (errors are still logged). */
  quiet: boolean;
  /**
   * Live reload: HTML pages get a script that listens on `/__basehttp/live`, and a change under the
   * directory reloads them (a stylesheet is swapped in place); every response is `Cache-Control: no-cache`,
   * and `fileCacheMs` defaults to 0 so a reload never gets the old bytes. Default false.
   */
  live: boolean;
  /** Changes live reload ignores, as globs (`dist`, `*.log`); dotfiles and `node_modules` always are. */
  liveIgnore: string[];
}

/**
 * Fills in defaults; `directory` becomes absolute. A header that could not be sent (a name that is not a
 * token, CR or LF in a value) throws HeaderValueError here, rather than failing every response later; a
 * `fileCacheMs` that is not a time, an `upload.maxBytes` that is no size or `authWritesOnly` without `auth`
 * throws InvalidServerOptionError.
 */
export function resolveOptions(options: Partial<StaticOptions> = {}): StaticOptions {
  for (const [name, value] of options.headers ?? []) fieldLine(name, value);
  const { fileCacheMs, live = false, liveIgnore = [] } = options;
  if (liveIgnore.length > 0 && !live)
    throw new InvalidServerOptionError('liveIgnore needs live: it says which changes live reload ignores');
  if (fileCacheMs !== undefined && !(Number.isFinite(fileCacheMs) && fileCacheMs >= 0))
    throw new InvalidServerOptionError(
      `fileCacheMs must be a number of milliseconds ≥ 0, not ${fileCacheMs}`,
    );
  if (options.authWritesOnly && !options.auth)
    throw new InvalidServerOptionError('authWritesOnly needs auth: the credentials writes require');
  return {
    directory: path.resolve(options.directory ?? process.cwd()),
    indexPages: options.indexPages ?? ['index.html', 'index.htm'],
    listing: options.listing ?? true,
    dotfiles: options.dotfiles ?? false,
    followSymlinks: options.followSymlinks ?? false,
    cors: options.cors ?? false,
    headers: options.headers ?? [],
    spa: options.spa ?? null,
    fileCacheMs: fileCacheMs ?? (live ? 0 : 1000),
    cacheSeconds: options.cacheSeconds ?? null,
    auth: options.auth ?? null,
    upload: resolveUploadOptions(options.upload),
    authWritesOnly: options.authWritesOnly ?? false,
    compression: options.compression ?? true,
    extensionMap: options.extensionMap ?? {},
    logFormat: options.logFormat ?? 'python',
    quiet: options.quiet ?? false,
    live,
    liveIgnore,
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pathEnd, targetPath } from '../../protocol/target-path.js';
import { namesMediaType } from '../../protocol/weighted-lists.js';
import { pythonRequestLine, statusText } from '../../server/access-log.js';
import type { HandlerClass } from '../../server/http-server.js';
import { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { guessType, isCompressible } from './content-type.js';
import { listingHtml, listingJson, sortEntries, type ListingEntry } from './listing.js';
import { resolveOptions, type StaticOptions } from './options.js';
import { FileCache, type CachedTarget } from './file-cache.js';
import { LIVE_EVENTS_PATH } from './live-reload/client-script.js';
import { injectLiveScript, isHtmlType } from './live-reload/inject.js';
import { livePage } from './live-reload/live-page.js';
import { liveReloadOf } from './live-reload/live-reload.js';
import { serveContent } from './serve-content.js';
import { translatePath, type TranslatedPath } from './translate-path.js';
import { formUpload } from './upload/form-upload.js';
import { isUploadTemp } from './upload/place-file.js';
import { putUpload } from './upload/put-upload.js';
import type { UploadContext } from './upload/upload-target.js';

/** The page a 404 of the file server shows when the served root has it. */
const NOT_FOUND_PAGE = '404.html';

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Python's `SimpleHTTPRequestHandler`: serves files and listings from a directory for GET and HEAD, with
 * what the best static servers add — ETags, conditional requests, ranges, compression, CORS, SPA fallback —
 * and safe defaults: dotfiles hidden, symlinks out of the directory refused, both checked on the real path.
 *
 * Options: `SimpleHTTPRequestHandler.with({ directory: 'public', … })` returns a subclass bound to them.
 */
export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  /** The options this class serves with (bound by `with()`; the defaults serve the current directory). */
  declare options: StaticOptions;
  /** Set by `sendHead`: this response is the file server's, where `cacheControl()` applies. */
  private servingFiles = false;

  /** A subclass of this handler bound to `options` (a typed stand-in for Python's `partial(..., directory=)`). */
  static with<T extends typeof SimpleHTTPRequestHandler>(this: T, options: Partial<StaticOptions>): T {
    const Bound = class extends (this as typeof SimpleHTTPRequestHandler) {};
    const resolved = resolveOptions(options);
    Object.defineProperty(Bound.prototype, 'options', { value: resolved, writable: true });
    // Error pages are HTML too: a page that is not there yet reloads once it is.
    if (resolved.live)
      Bound.prototype.errorMessageFormat = injectLiveScript(
        Buffer.from(Bound.prototype.errorMessageFormat),
      ).toString();
    return Bound as unknown as T;
  }

  /** Python's access line, its status in colour on a terminal. */
  override logRequest(code: number | string = '-', size: number | string = '-'): void {
    if (!this.logsRequestAtStart) return;
    const status = statusText(code, this.server.logColour);
    this.server.log(
      pythonRequestLine(this.addressString(), this.logDateTimeString(), this.requestline, status, size),
    );
  }

  /**
   * A file server's refusals (404, 403, 412, 401, …) keep the connection open, as nginx's do: the request
   * was read whole and the page has an exact length, so a browser's missing favicon does not cost it a new
   * connection. Server errors still close, as in Python.
   */
  override sendError(code: number, message?: string, explain?: string): void {
    this.sendErrorPage(code, message, explain, code >= 500);
  }

  /**
   * The Cache-Control value for a response of the file server (a file, a listing, a redirect; never a route
   * of a subclass's own): `max-age=<cacheSeconds>`, or null for none. Override to choose per path, e.g.
   * `no-cache` for `.html` while hashed assets keep a long max-age.
   */
  cacheControl(): string | null {
    const seconds = this.options.cacheSeconds;
    return seconds === null ? null : `max-age=${seconds}`;
  }

  /** The served directory. */
  get directory(): string {
    return this.options.directory;
  }

  /** Serves the file or directory listing the path names. */
  doGET(): void | Promise<void> {
    if (!this.authorized()) return;
    if (this.options.live) {
      const live = liveReloadOf(this.server, this.constructor as HandlerClass, this.options);
      if (this.pathname === LIVE_EVENTS_PATH) return live.serve(this);
    }
    return this.sendHead();
  }

  /** As GET, without the body. */
  doHEAD(): void | Promise<void> {
    return this.doGET();
  }

  /**
   * CORS preflight when `cors` is on; otherwise OPTIONS is not a method of a file server. Both fields name
   * the methods the class implements (`allowedMethods()`), so a subclass's `doPOST` is allowed too.
   */
  doOPTIONS(): void {
    if (!this.options.cors) {
      this.unsupportedMethod();
      return;
    }
    const allow = this.allowedMethods().join(', ');
    this.sendResponse(204);
    this.sendHeader('Allow', allow);
    this.sendHeader('Access-Control-Allow-Methods', allow);
    const asked = this.headers.get('access-control-request-headers');
    if (asked !== undefined) this.sendHeader('Access-Control-Allow-Headers', asked);
    this.sendHeader('Access-Control-Max-Age', 86400);
    this.endHeaders();
  }

  /**
   * PUT (the class's `doPUT`) with `upload` on: the body written to the file the path names (201 new, 204
   * replaced with `overwrite`, 409 exists); off, 405 as any method a file server lacks.
   */
  protected receivePut(): void | Promise<void> {
    if (this.options.upload === null) return this.unsupportedMethod();
    if (!this.authorized()) return;
    return putUpload(this, this.uploadContext());
  }

  /**
   * POST (the class's `doPOST`) with `upload` on: a `multipart/form-data` body sent to a directory has its
   * files saved there; off, 405.
   */
  protected receiveForm(): void | Promise<void> {
    if (this.options.upload === null) return this.unsupportedMethod();
    if (!this.authorized()) return;
    return formUpload(this, this.uploadContext());
  }

  /**
   * The class's methods, less OPTIONS when `cors` is off (its `doOPTIONS` then refuses) and less the file
   * server's own PUT and POST when `upload` is off (a subclass's own `doPOST`, as CGI's, stays).
   */
  override allowedMethods(): readonly string[] {
    let methods = super.allowedMethods();
    if (!this.options.cors) methods = without(methods, 'OPTIONS');
    if (this.options.upload === null) {
      const own = this as unknown as Record<string, unknown>;
      if (own.doPUT === FILE_SERVER.receivePut) methods = without(methods, 'PUT');
      if (own.doPOST === FILE_SERVER.receiveForm) methods = without(methods, 'POST');
    }
    return methods;
  }

  /** Any other method on a static path: 405 with the methods that do work. */
  override unsupportedMethod(): void {
    this.sendResponse(405, 'Method Not Allowed');
    this.sendHeader('Allow', this.allowedMethods().join(', '));
    this.sendHeader('Content-Length', 0);
    this.endHeaders();
  }

  /**
   * Adds the configured extra fields to every response, errors included: CORS (with the fields a cross-origin
   * range reader such as pdf.js or a video player must see) and `-H`. Cache-Control goes only on what
   * `sendHead` answers (files, listings, redirects), and there only on successes and redirects, as nginx's
   * `expires`: a 404 cached for an hour would hide a file added a minute later.
   */
  override endHeaders(): void {
    const options = this.options;
    if (options.cors) {
      this.sendHeader('Access-Control-Allow-Origin', '*');
      this.sendHeader(
        'Access-Control-Expose-Headers',
        'Accept-Ranges, Content-Encoding, Content-Range, ETag',
      );
    }
    if (this.servingFiles && this.responseCode < 400 && !options.live) {
      const cacheControl = this.cacheControl();
      if (cacheControl !== null) this.sendHeader('Cache-Control', cacheControl);
    }
    if (options.live) this.sendHeader('Cache-Control', 'no-cache');
    for (const [name, value] of options.headers) this.sendHeader(name, value);
    super.endHeaders();
  }

  /** Python's `translate_path`: the file-system path for a URL path, never outside the directory. */
  translatePath(urlPath: string): TranslatedPath | null {
    return translatePath(urlPath, this.directory);
  }

  /** Python's `guess_type`. */
  guessType(fileName: string): string {
    return guessType(fileName, this.options.extensionMap);
  }

  /**
   * HTTP Basic, compared in constant time (hashes of equal length, whatever the input); answers 401 and
   * returns false when the request lacks it. Subclasses that serve more than files (CGI) check it too.
   */
  protected authorized(): boolean {
    const auth = this.options.auth;
    if (auth === null || (this.options.authWritesOnly && READS.has(this.command))) return true;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(this.headers.get('authorization') ?? '');
    const given = m === null ? '' : Buffer.from(m[1]!, 'base64').toString('utf8');
    const ok = timingSafeEqual(sha256(given), sha256(`${auth.user}:${auth.password}`));
    if (ok) return true;
    this.sendResponse(401);
    this.sendHeader('WWW-Authenticate', 'Basic realm="basehttp", charset="UTF-8"');
    this.sendHeader('Content-Length', 0);
    this.endHeaders();
    return false;
  }

  /**
   * Python's `send_head`: resolves the path and answers with a file, a listing, a redirect or an error.
   * A small file the cache holds is answered synchronously, without a promise.
   */
  sendHead(): void | Promise<void> {
    this.servingFiles = true;
    const translated = this.translatePath(this.path);
    if (translated === null) {
      this.sendError(400, 'Bad path');
      return;
    }
    const target = this.resolve(translated);
    return target instanceof Promise
      ? target.then((t) => this.sendTarget(translated, t))
      : this.sendTarget(translated, target);
  }

  /** Answers for what a translated path resolved to (null: nothing that may be served). */
  private sendTarget(translated: TranslatedPath, target: CachedTarget | null): void | Promise<void> {
    if (target === null) return this.notFound(translated);
    if (target.stat.isDirectory()) return this.sendDirectory(translated, target);
    if (translated.trailingSlash || !target.stat.isFile()) return this.notFound(translated);
    return this.sendFile(target, translated.fsPath);
  }

  /** A directory: a redirect to its slashed path, its index page, or its listing. */
  private async sendDirectory(translated: TranslatedPath, target: CachedTarget): Promise<void> {
    // As Python, on the path as sent: after `/docs%2f` the listing's relative links would miss the directory.
    if (!targetPath(this.path).endsWith('/')) {
      this.redirectToDirectory();
      return;
    }
    for (const index of this.options.indexPages) {
      const page = await this.resolve(this.child(translated, index));
      if (page?.stat.isFile()) {
        await this.sendFile(page, index);
        return;
      }
    }
    if (!this.options.listing) return this.notFound(translated);
    return this.listDirectory(target.real, translated);
  }

  /** The translated path of `name` inside the directory `dir`. */
  private child(dir: TranslatedPath, name: string): TranslatedPath {
    return { fsPath: path.join(dir.fsPath, name), segments: [...dir.segments, name], trailingSlash: false };
  }

  /**
   * Serves a resolved file (with an error `status`: as that error's body); what serving needs (type,
   * validators) is kept on the cache entry.
   */
  private sendFile(target: CachedTarget, name: string, status = 200): void | Promise<void> {
    if (target.file === undefined) {
      const type = this.guessType(name);
      target.file = {
        path: target.real,
        size: target.stat.size,
        mtimeMs: target.stat.mtimeMs,
        type,
        compressible: isCompressible(type),
        data: target.data,
        validators: new Map(),
      };
    }
    if (this.options.live && isHtmlType(target.file.type))
      return livePage(target.file).then((page) => serveContent(this, page, this.options.compression, status));
    return serveContent(this, target.file, this.options.compression, status);
  }

  /**
   * The real path and stat of what a translated path names, or null when it does not exist or must not be
   * served: a dotfile (unless allowed), or a symlink that resolves outside the directory (unless allowed).
   * Both are judged on the real path, so a link cannot smuggle a hidden or outside file in.
   */
  private resolve(translated: TranslatedPath): CachedTarget | null | Promise<CachedTarget | null> {
    const cache = cacheFor(this.options);
    const hit = cache.get(translated.fsPath);
    if (hit === undefined) return this.resolveOnDisk(translated, cache);
    if (hit instanceof Promise) return hit.then((entry) => entry ?? this.resolveOnDisk(translated, cache));
    return hit;
  }

  /** `resolve` for a path the cache does not hold (or no longer trusts): real paths, the rules, a stat. */
  private async resolveOnDisk(translated: TranslatedPath, cache: FileCache): Promise<CachedTarget | null> {
    let real: string;
    let root: string;
    try {
      [real, root] = await Promise.all([fsp.realpath(translated.fsPath), fsp.realpath(this.directory)]);
    } catch {
      return null;
    }
    if (!this.allowed(real, root, translated.segments)) return null;
    const stat = await fsp.stat(real).catch(() => null);
    return stat === null ? null : cache.put(translated.fsPath, real, stat);
  }

  /**
   * The dotfile and symlink rules, on a real path and the URL segments that led to it (CGI uses them too).
   * An upload's temporary file is refused even with `dotfiles` on.
   */
  protected allowed(real: string, root: string, segments: readonly string[]): boolean {
    const inside = real === root || real.startsWith(root + path.sep);
    if (!inside && !this.options.followSymlinks) return false;
    if (this.options.dotfiles && this.options.upload === null) return true;
    const names = inside ? [...path.relative(root, real).split(path.sep), ...segments] : segments;
    return !names.some(this.options.dotfiles ? isUploadTemp : isHidden);
  }

  /**
   * Whether an upload may write at `real` (a path that may not exist yet), reached by the URL `segments`:
   * the read rules of `allowed`. CGI adds its script directories.
   */
  protected mayWrite(real: string, root: string, segments: readonly string[]): boolean {
    return this.allowed(real, root, segments);
  }

  /** What the upload code needs: the directory, the options, the write rules, the cache to correct. */
  private uploadContext(): UploadContext {
    const options = this.options;
    return {
      directory: this.directory,
      upload: options.upload!,
      mayWrite: (real, root, segments) => this.mayWrite(real, root, segments),
      placed: (file) => cacheFor(options).forget(file),
    };
  }

  /**
   * 301 to the path with a slash, query kept. The Location never starts with `//` or `/\` (open redirect):
   * leading slashes collapse to one, and backslashes, which browsers read as `/`, are sent encoded.
   */
  private redirectToDirectory(): void {
    const end = pathEnd(this.path);
    const [pathPart, rest] = [this.path.slice(0, end), this.path.slice(end)];
    const location = `/${pathPart.replace(/^\/+/, '').replace(/\\/g, '%5C')}/${rest}`;
    this.sendResponse(301);
    this.sendHeader('Location', location);
    this.sendHeader('Content-Length', 0);
    this.endHeaders();
  }

  /**
   * 404, or the single-page-app file for a request that accepts HTML. The 404's body is the served root's
   * `404.html` when there is one the rules allow and the file cache could read (≤ 1 MiB), else the built-in
   * page: a broken custom page must not turn a 404 into a failed response.
   */
  private async notFound(translated: TranslatedPath): Promise<void> {
    const spa = this.options.spa;
    const root = translatePath('/', this.directory)!;
    if (spa !== null && this.wantsAppShell(translated)) {
      const target = await this.resolve(this.child(root, spa));
      if (target?.stat.isFile()) {
        await this.sendFile(target, spa);
        return;
      }
    }
    const now = Date.now();
    if ((notFoundPageMissingUntil.get(this.options) ?? 0) <= now) {
      const page = await this.resolve(this.child(root, NOT_FOUND_PAGE));
      if (page?.data != null && page.stat.isFile()) {
        await this.sendFile(page, NOT_FOUND_PAGE, 404);
        return;
      }
      if (page === null) notFoundPageMissingUntil.set(this.options, now + this.options.fileCacheMs);
    }
    this.sendError(404, 'File not found');
  }

  /**
   * Whether an unknown path gets the SPA file: when the request accepts HTML by name, or accepts anything
   * (`*\/*`) for a path without a file extension. Browsers ask for scripts, images and fetches with `*\/*`,
   * so a missing `app.js` stays a 404 instead of turning into HTML.
   */
  private wantsAppShell(translated: TranslatedPath): boolean {
    const accept = this.headers.get('accept');
    if (namesMediaType(accept, 'text/html')) return true;
    return namesMediaType(accept, '*/*') && !/\.[^.]+$/.test(translated.segments.at(-1) ?? '');
  }

  /** Python's `list_directory`, as HTML or (`?format=json`) JSON. */
  async listDirectory(dir: string, translated: TranslatedPath): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      this.sendError(404, 'No permission to list directory');
      return;
    }
    const entries: ListingEntry[] = [];
    const root = await fsp.realpath(this.directory);
    for (const name of names) {
      const full = path.join(dir, name);
      const [lst, st] = await Promise.all([
        fsp.lstat(full).catch(() => null),
        fsp.stat(full).catch(() => null),
      ]);
      if (lst === null) continue;
      // List only what a click can open: a link the rules would refuse is left out, like a dotfile.
      const real = lst.isSymbolicLink() ? await fsp.realpath(full).catch(() => null) : full;
      if (real === null || !this.allowed(real, root, [...translated.segments, name])) continue;
      entries.push({
        name,
        isDirectory: st?.isDirectory() ?? false,
        isSymlink: lst.isSymbolicLink(),
        size: (st ?? lst).size,
        mtimeMs: (st ?? lst).mtimeMs,
      });
    }
    sortEntries(entries);
    const json = this.query.get('format') === 'json';
    const displayPath = `/${translated.segments.join('/')}${translated.segments.length > 0 ? '/' : ''}`;
    const listing = Buffer.from(
      json
        ? listingJson(entries)
        : listingHtml(displayPath, entries, translated.segments.length === 0, this.options.upload !== null),
    );
    const body = this.options.live && !json ? injectLiveScript(listing) : listing;
    this.sendResponse(200);
    this.sendHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    if (this.command !== 'HEAD') this.wfile.write(body);
  }
}

Object.defineProperty(SimpleHTTPRequestHandler.prototype, 'options', {
  value: resolveOptions(),
  writable: true,
});
/** The file server's own upload methods, to tell them from a subclass's doPUT and doPOST. */
const FILE_SERVER = SimpleHTTPRequestHandler.prototype as unknown as Record<string, unknown>;
// Uploads answer PUT and POST. Installed here rather than declared as methods, so that a subclass's own
// doPOST (an API beside the files) is not an override TypeScript's noImplicitOverride would flag.
Object.defineProperties(SimpleHTTPRequestHandler.prototype, {
  doPUT: { value: FILE_SERVER.receivePut, writable: true },
  doPOST: { value: FILE_SERVER.receiveForm, writable: true },
});
// The handler API's log settings are the options' (for `with()`'s classes too, read on the prototype).
Object.defineProperties(SimpleHTTPRequestHandler.prototype, {
  logFormat: {
    get(this: SimpleHTTPRequestHandler) {
      return this.options.logFormat;
    },
  },
  quiet: {
    get(this: SimpleHTTPRequestHandler) {
      return this.options.quiet;
    },
  },
});

/** The methods `authWritesOnly` leaves open: they read. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A dotfile the rules hide: any name with a leading dot but `.well-known`. */
function isHidden(name: string): boolean {
  return name.startsWith('.') && name !== '.well-known';
}

const narrowed = new WeakMap<readonly string[], Map<string, readonly string[]>>();

/** `methods` less `method`, kept per list and method (lists are one per class), so a 405 makes no new list. */
function without(methods: readonly string[], method: string): readonly string[] {
  let byMethod = narrowed.get(methods);
  if (byMethod === undefined) narrowed.set(methods, (byMethod = new Map<string, readonly string[]>()));
  let kept = byMethod.get(method);
  if (kept === undefined) byMethod.set(method, (kept = methods.filter((m) => m !== method)));
  return kept;
}

/**
 * Until when a served root is known to have no 404.html, per set of options: the file cache keeps no
 * negative entries, and without this every 404 would pay two `realpath` calls for a page that is not there.
 * Trusted `fileCacheMs`, as what the cache holds: a 404.html added is used that much later.
 */
const notFoundPageMissingUntil = new WeakMap<StaticOptions, number>();

const caches = new WeakMap<StaticOptions, FileCache>();

/** One file cache per set of options, that is per bound handler class. */
function cacheFor(options: StaticOptions): FileCache {
  let cache = caches.get(options);
  if (cache === undefined) caches.set(options, (cache = new FileCache({ validMs: options.fileCacheMs })));
  return cache;
}

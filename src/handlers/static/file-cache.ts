import { promises as fsp, type Stats } from 'node:fs';
import type { FileToServe } from './serve-content.js';

/** What a translated path (the cache key) resolved to, with the file's bytes when it is small enough to keep. */
export interface CachedTarget {
  real: string;
  stat: Stats;
  data: Buffer | null;
  checkedAt: number;
  /** What serving it needs (type, validators), worked out once for the life of the entry. */
  file?: FileToServe;
}

/**
 * A bounded cache of resolved paths and small files, like nginx's open_file_cache: an entry is trusted for
 * `validMs` after its last check, then revalidated with one `stat` (same size, mtime and inode: keep; else
 * drop). Hot small files are then served from memory without a single file-system call.
 */
export class FileCache {
  private readonly entries = new Map<string, CachedTarget>();
  private bytes = 0;

  private readonly maxEntries: number;
  private readonly maxBytes: number;
  readonly maxFileBytes: number;
  /** Time an entry is trusted without a `stat` (StaticOptions.fileCacheMs): a deleted file is served that long. */
  private readonly validMs: number;

  constructor({
    maxEntries = 4096,
    maxBytes = 64 * 1024 * 1024,
    maxFileBytes = 1024 * 1024,
    validMs = 1000,
  }: { maxEntries?: number; maxBytes?: number; maxFileBytes?: number; validMs?: number } = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxFileBytes = maxFileBytes;
    this.validMs = validMs;
  }

  /**
   * The entry for `key` if it is still valid — at once while it is within its trust interval (the hot path:
   * no promise, no file-system call), or after one `stat` when its time is up.
   */
  get(key: string, now = Date.now()): CachedTarget | undefined | Promise<CachedTarget | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined || now - entry.checkedAt < this.validMs) return entry;
    return this.revalidate(key, entry, now);
  }

  /** Keeps an entry whose file is unchanged (same size, mtime and inode), else drops it. */
  private async revalidate(key: string, entry: CachedTarget, now: number): Promise<CachedTarget | undefined> {
    // The requested path, not the real one: a symlink pointed elsewhere since must not keep its old target.
    const st = await fsp.stat(key).catch(() => null);
    if (
      st === null ||
      st.size !== entry.stat.size ||
      st.mtimeMs !== entry.stat.mtimeMs ||
      st.ino !== entry.stat.ino
    ) {
      this.delete(key);
      return undefined;
    }
    entry.checkedAt = now;
    this.entries.delete(key); // re-insert: recently used entries are evicted last
    this.entries.set(key, entry);
    return entry;
  }

  /** Remembers a resolved target, reading the file into memory when it is a small regular file. */
  async put(key: string, real: string, stat: Stats): Promise<CachedTarget> {
    let data: Buffer | null = null;
    if (stat.isFile() && stat.size <= this.maxFileBytes) {
      data = await fsp.readFile(real).catch(() => null);
      if (data !== null && data.length !== stat.size) data = null; // changed while read: serve from disk
    }
    const entry: CachedTarget = { real, stat, data, checkedAt: Date.now() };
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += data?.length ?? 0;
    // Evict the oldest entries (Map keeps insertion order) until both bounds hold.
    for (const [k] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
    return entry;
  }

  /**
   * Drops what is kept of `file`, by the path it was asked for or the real path it resolved to: an upload
   * replaced it, and the old bytes must not be served for the rest of the trust interval.
   */
  forget(file: string): void {
    for (const [key, entry] of this.entries) if (key === file || entry.real === file) this.delete(key);
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.bytes -= old.data?.length ?? 0;
    this.entries.delete(key);
  }
}

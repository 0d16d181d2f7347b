/** Watching the served directory for live reload: every directory not ignored, filtered, debounced. */
import { watch, promises as fsp, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** What a burst of changes asks open pages to do: swap their stylesheets, or reload. */
export type LiveEvent = 'css' | 'reload';

/** Quiet time after the last change before pages are told: an editor's save or a build is many writes. */
export const DEBOUNCE_MS = 100;

/**
 * Watches `directory` and every directory below it that `ignored` lets through, and calls `onBurst` once
 * per burst of changes, DEBOUNCE_MS after the last: `css` when every changed file was a stylesheet, else
 * `reload`, with the changed paths (relative to `directory`). Returns what stops it; it does not keep the
 * process alive (the server does). A watch of `directory` that cannot start or fails goes to `onError`.
 *
 * One `fs.watch` per directory rather than `recursive: true`: on Linux, Node 20's recursive watch reads the
 * whole tree synchronously and adds one inotify watch per file, `node_modules` included, which stalls the
 * first request and can exhaust the system's watches. Here an ignored directory is never walked, and the
 * walk is asynchronous. A directory created later is watched before its creation is reported.
 */
export function watchChanges(
  directory: string,
  ignored: (relative: string) => boolean,
  onBurst: (event: LiveEvent, paths: string[]) => void,
  onError: (err: Error) => void,
): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    timer = null;
    const paths = [...changed];
    changed = new Set();
    onBurst(paths.every((p) => p.toLowerCase().endsWith('.css')) ? 'css' : 'reload', paths);
  };
  const note = (relative: string): void => {
    if (closed) return;
    changed.add(relative);
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  };
  /** Stops watching a directory that went away, and everything below it. */
  const unwatch = (relative: string): void => {
    for (const [dir, watcher] of watchers)
      if (dir === relative || dir.startsWith(relative + path.sep)) {
        watcher.close();
        watchers.delete(dir);
      }
  };
  /** A name created, removed or renamed: a new directory is watched first, then the change is told. */
  const renamed = async (relative: string): Promise<void> => {
    const stat = await fsp.stat(path.join(directory, relative)).catch(() => null);
    if (stat === null) unwatch(relative);
    else if (stat.isDirectory()) await watchTree(relative);
    note(relative);
  };
  const watchTree = async (relative: string): Promise<void> => {
    if (closed || watchers.has(relative)) return;
    const full = path.join(directory, relative);
    let watcher: FSWatcher;
    try {
      watcher = watch(full, { persistent: false }, (kind, name) => {
        // No name (an overflowed queue): something changed in this directory, so reload.
        const child = name === null ? relative : path.join(relative, name.toString());
        if (child !== '' && ignored(child)) return;
        if (kind === 'rename' && name !== null) void renamed(child);
        else note(child);
      });
    } catch (err) {
      if (relative === '') onError(err as Error); // a subdirectory removed meanwhile is no error
      return;
    }
    watcher.on('error', (err: Error) => {
      unwatch(relative);
      if (relative === '') onError(err);
    });
    watchers.set(relative, watcher);
    const entries = await fsp.readdir(full, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory() && !ignored(child)) await watchTree(child);
    }
  };

  void watchTree('');
  return {
    close: () => {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/** Watching the served directory for live reload: recursive, filtered, and debounced into one event. */
import { watch, type FSWatcher } from 'node:fs';

/** What a burst of changes asks open pages to do: swap their stylesheets, or reload. */
export type LiveEvent = 'css' | 'reload';

/** Quiet time after the last change before pages are told: an editor's save or a build is many writes. */
export const DEBOUNCE_MS = 100;

/**
 * Watches `directory` and all below it (recursive `fs.watch`: inotify on Linux, Node 20 and later), and
 * calls `onBurst` once per burst of changes `ignored` lets through, DEBOUNCE_MS after the last: `css` when
 * every changed file was a stylesheet, else `reload`, with the changed paths. Returns what stops it; it
 * does not keep the process alive (the server does). A watch that cannot start or fails goes to `onError`.
 */
export function watchChanges(
  directory: string,
  ignored: (relative: string) => boolean,
  onBurst: (event: LiveEvent, paths: string[]) => void,
  onError: (err: Error) => void,
): { close(): void } | null {
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    const paths = [...changed];
    changed = new Set();
    onBurst(paths.every((p) => p.toLowerCase().endsWith('.css')) ? 'css' : 'reload', paths);
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(directory, { recursive: true, persistent: false }, (_kind, name) => {
      // No name (some platforms, an overflowed queue): something changed, so reload.
      const relative = name === null ? '' : name.toString();
      if (relative !== '' && ignored(relative)) return;
      changed.add(relative);
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(flush, DEBOUNCE_MS);
    });
  } catch (err) {
    onError(err as Error);
    return null;
  }
  watcher.on('error', onError);
  return {
    close: () => {
      watcher.close();
      if (timer !== null) clearTimeout(timer);
    },
  };
}

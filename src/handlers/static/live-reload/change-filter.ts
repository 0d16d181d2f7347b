/** Which changes under the served directory live reload leaves alone. */
import path from 'node:path';
import picomatch from 'picomatch';

/**
 * A test of a changed path (relative to the directory, as `fs.watch` names it) that is true for what must
 * not reload: anything under a dot-name (`.git/`, an editor's `.swp`) or `node_modules`, and whatever an
 * ignore glob matches — the path itself or any directory on it, so `dist` ignores `dist/app.js`. A glob
 * without a slash matches a name at any depth (`*.log`), as in `.gitignore`.
 *
 * Globs are picomatch's: Node's `path.matchesGlob` is still experimental on Node 20 and warns when used.
 */
export function ignoredChanges(globs: readonly string[]): (relative: string) => boolean {
  const matches = globs.length === 0 ? null : picomatch([...globs], { basename: true, dot: true });
  return (relative) => {
    const names = relative.split(path.sep);
    if (names.some((name) => name.startsWith('.') || name === 'node_modules')) return true;
    if (matches === null) return false;
    for (let i = 1; i <= names.length; i++) if (matches(names.slice(0, i).join('/'))) return true;
    return false;
  };
}

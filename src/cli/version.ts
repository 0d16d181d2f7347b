/** The package's version, for `--version` and the client's `User-Agent`. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `version` of basehttp's own package.json, read at run time (not copied into the build) so it cannot
 * disagree with the package: the nearest package.json named `basehttp` above this module, wherever the build
 * sits (a clone, or node_modules after installing a tarball).
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === 'basehttp' && typeof manifest.version === 'string') return manifest.version;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no package.json of basehttp above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** A package.json's fields, or undefined when there is no such file. */
function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

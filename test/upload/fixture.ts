/** A fresh served directory for upload tests, with a file, a sub-directory and a symlink out of it. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPLOAD_TEMP_PREFIX } from '../../src/handlers/static/upload/place-file.js';

/** `root` is served; `outside` is a directory next to it, reached from `root/out` by a symlink. */
export function uploadFixture(): { root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'basehttp-upload-'));
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  mkdirSync(join(root, 'sub'));
  mkdirSync(join(root, 'cgi-bin'));
  writeFileSync(join(root, 'old.txt'), 'old bytes\n');
  symlinkSync(outside, join(root, 'out'));
  return { root, outside };
}

/** The upload temporary files left anywhere under `dir`. */
export function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.split('/').some((part) => part.startsWith(UPLOAD_TEMP_PREFIX)),
  );
}

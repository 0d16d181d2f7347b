/** A directory tree with the names and files that trip static servers up, made fresh for each test file. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';

export const TRICKY_NAMES = [
  'name with spaces.txt',
  'hash#name.txt',
  'q?mark.txt',
  'per%cent.txt',
  '<tag>.txt',
  `quo'te".txt`,
  'caf\u00e9 \u65e5\u672c.txt',
  'Upper.txt',
  'a&b.txt',
  'back\\slash.txt',
];

export const BIG_TEXT = 'The quick brown fox jumps over the lazy dog.\n'.repeat(200);
export const LARGE_BYTES = 50 * 1024 * 1024;

/** Creates the tree; `root` is served, `outside` sits next to it (a symlink points there). */
export function makeFixture(): { root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'basehttp-static-'));
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const outside = join(base, 'outside.txt');
  mkdirSync(root);
  writeFileSync(outside, 'secret outside the root\n');
  writeFileSync(join(root, 'hello.txt'), 'hello world\n');
  writeFileSync(join(root, 'big.txt'), BIG_TEXT);
  writeFileSync(join(root, 'logo.png'), Buffer.alloc(4096, 7));
  writeFileSync(join(root, 'app.js'), `console.log(${JSON.stringify(BIG_TEXT)});\n`);
  writeFileSync(
    join(root, 'app.js.br'),
    zlib.brotliCompressSync(`console.log(${JSON.stringify(BIG_TEXT)});\n`),
  );
  writeFileSync(join(root, 'module.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'unknown.zzz'), 'what am I');
  for (const name of TRICKY_NAMES) writeFileSync(join(root, name), `content of ${name}\n`);
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'index.html'), '<!doctype html><title>sub</title><p>sub index</p>\n');
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'readme.md'), '# docs\n');
  mkdirSync(join(root, 'evil.example'));
  mkdirSync(join(root, '\\evil.example')); // a backslash is part of a name on POSIX
  writeFileSync(join(root, '.env'), 'PASSWORD=hunter2\n');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), '[core]\n');
  mkdirSync(join(root, '.well-known'));
  writeFileSync(join(root, '.well-known', 'security.txt'), 'Contact: mailto:security@example.com\n');
  symlinkSync(outside, join(root, 'outside-link.txt'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'inside-link.txt'));
  symlinkSync(join(root, '.env'), join(root, 'env-link.txt'));
  writeFileSync(join(root, 'large.bin'), '');
  truncateSync(join(root, 'large.bin'), LARGE_BYTES); // sparse: 50 MB without writing 50 MB
  return { root, outside };
}

/**
 * Runs the built suite: every `*.test.js` under build/test, with the Node binary that runs this script.
 * `node --test <dir>` is no way to find them: Node 20 runs every module in the directory (helpers too, as
 * tests), Node 22 and later no longer search a directory at all, and Node 20 has no glob. So the files are
 * listed here and handed over by name. Arguments narrow the run to files whose path contains one of them:
 * `node build/test/run-suite.js cgi client/pool`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test.js'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort()
  .map((name) => path.join(root, name));
if (files.length === 0) {
  process.stderr.write(`run-suite: no test file under ${root} matches ${filters.join(' ')}\n`);
  process.exit(1);
}
// TAP where the output is not a terminal (a log, CI): Node 20's default there, spelled out so that Node 24,
// whose default is the spec reporter everywhere, ends with the same `# pass` / `# fail` summary lines.
const reporter = process.stdout.isTTY ? [] : ['--test-reporter=tap'];
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...reporter, ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);

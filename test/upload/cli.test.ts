import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UsageError } from '../../src/cli/flags.js';
import { parseServeArgs, USAGE, type ServeArgs } from '../../src/cli/serve-args.js';
import { curl } from '../helpers/curl.js';
import { uploadFixture } from './fixture.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describe('the upload flags of basehttp', () => {
  it('turn into the handler options, off unless --upload', () => {
    const off = parseServeArgs([]) as ServeArgs;
    assert.equal(off.options.upload, null);
    assert.equal(off.options.authWritesOnly, false);
    const on = parseServeArgs([
      '--upload',
      '--overwrite',
      '--mkdir',
      '--max-upload-size',
      '10M',
    ]) as ServeArgs;
    assert.deepEqual(on.options.upload, { overwrite: true, mkdir: true, maxBytes: 10 * 1024 * 1024 });
    const sizes = ['500000', '64K', '1.5G', '2MiB', '1gb'].map(
      (size) =>
        (parseServeArgs(['--upload', '--max-upload-size', size]) as ServeArgs).options.upload!.maxBytes,
    );
    assert.deepEqual(sizes, [500_000, 65_536, 1.5 * 2 ** 30, 2 * 2 ** 20, 2 ** 30]);
    const writes = parseServeArgs(['--upload', '--auth', 'ann:pw', '--auth-writes']) as ServeArgs;
    assert.equal(writes.options.authWritesOnly, true);
    assert.match(
      USAGE,
      /--upload .*\n.*--overwrite.*\n.*--mkdir.*\n.*--max-upload-size BYTES.*\n.*--auth-writes/,
    );
  });

  it('refuse what makes no sense as usage errors', () => {
    for (const args of [
      ['--overwrite'],
      ['--mkdir'],
      ['--max-upload-size', '1M'],
      ['--upload', '--auth-writes'],
      ['--upload', '--max-upload-size', '0'],
      ['--upload', '--max-upload-size', 'lots'],
      ['--upload', '--max-upload-size', '-5'],
    ])
      assert.throws(() => parseServeArgs(args), UsageError, args.join(' '));
  });

  it('work from the command line with --workers: each worker takes uploads', async (t) => {
    const { root } = uploadFixture();
    const body = join(root, '..', 'body.txt');
    writeFileSync(body, 'through a worker\n');
    const child = spawn(
      process.execPath,
      [MAIN, '--upload', '--workers', '2', '-b', '127.0.0.1', '-d', root, '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = / port (\d+) /.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    for (let i = 0; i < 250 && (err.match(/started/g) ?? []).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await curl(port, `/w${i}.txt`, '-T', body)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201]);
    assert.equal(readFileSync(join(root, 'w3.txt'), 'utf8'), 'through a worker\n');
    const { stdout } = await run('curl', ['-sS', `http://127.0.0.1:${port}/`]);
    assert.match(stdout, /<form id="upload"/);
  });
});

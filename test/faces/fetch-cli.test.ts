import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getOnce } from '../helpers/server.js';
import { within } from './fetch-helpers.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const APP = fileURLToPath(new URL('./hono-app.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'basehttp-fetch-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `basehttp` with `args` and waits for its banner; resolves with the process and its port. */
async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; port: number; err: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await within(
    new Promise<number>((resolve) =>
      child.stdout.on('data', (d) => {
        out += d;
        const m = / port (\d+) /.exec(out);
        if (m) resolve(Number(m[1]));
      }),
    ),
    15_000,
    'the banner',
  );
  return { child, port, err: () => err, exited };
}

it('basehttp --app serves a Hono module with --workers 2, then drains on SIGTERM', async () => {
  const { child, port, err, exited } = await startCli([
    '--app',
    APP,
    '--workers',
    '2',
    '-b',
    '127.0.0.1',
    '0',
  ]);
  try {
    for (let i = 0; i < 100 && (err().match(/started/g) ?? []).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(await getOnce(port, '/'), '200 Hello from Hono');
    const pids = new Set<string>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(await getOnce(port, '/pid'));
    assert.equal(pids.size, 2, `answers came from ${[...pids].join(', ')}`);
    assert.match(err(), /\[worker \d\] 127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 -/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await within(exited, 15_000, 'the exit'), 0);
});

it('basehttp --app with a module that has no fetch handler: one error line, exit 2', async () => {
  const module = join(dir, 'not-an-app.mjs');
  writeFileSync(module, 'export default { port: 3000 };\n');
  const result = await run(process.execPath, [MAIN, '--app', module, '0']).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    `basehttp: error: --app ${module}: ${module} has no fetch handler: its default export must be a function or an object with a fetch method\n`,
  );
});

it('basehttp --app passes --trust-proxy on: the app sees the forwarded client', async () => {
  const { child, port, exited } = await startCli([
    '--app',
    APP,
    '--trust-proxy',
    '127.0.0.1',
    '-b',
    '127.0.0.1',
    '0',
  ]);
  try {
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      'X-Forwarded-For: 198.51.100.9',
      `http://127.0.0.1:${port}/who`,
    ]);
    assert.equal(stdout, '198.51.100.9');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await within(exited, 15_000, 'the exit'), 0);
});

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exchangeRaw, parseResponses } from '../helpers/server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

/** Starts `basehttp` and resolves once its banner is out, with the port it printed. */
async function start(
  args: string[],
): Promise<{ child: ReturnType<typeof spawn>; port: number; out: () => string; err: () => string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /port (\d+) /.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, port, out: () => out, err: () => err };
}

describe('the basehttp command', () => {
  it('-h prints usage to stdout and exits 0', async () => {
    const r = await cli(['-h']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: basehttp /);
    assert.match(r.stdout, /--directory/);
    assert.equal(r.stderr, '');
  });

  it('an unknown flag prints an error to stderr and exits 2', async () => {
    const r = await cli(['--no-such-flag']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^usage: basehttp .*\nbasehttp: error: .*--no-such-flag/s);
  });

  it('bad values are usage errors too', async () => {
    for (const args of [['notaport'], ['-p', 'HTTP/2'], ['--log-format', 'xml'], ['-H', 'no colon']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /basehttp: error: /);
    }
  });

  it('a port in use is one clear line and exit 1', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = await cli(['-b', '127.0.0.1', String(port)]);
    blocker.close();
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `basehttp: cannot listen on 127.0.0.1 port ${port}: address already in use\n`);
  });

  it('serves a directory with a banner, flags applied, and exits 0 on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-'));
    writeFileSync(join(dir, 'page.txt'), 'from the cli\n');
    const s = await start(['-b', '127.0.0.1', '-d', dir, '-p', 'HTTP/1.0', '-H', 'X-Served-By: test', '0']);
    assert.match(
      s.out(),
      new RegExp(
        `^Serving HTTP on 127\\.0\\.0\\.1 port ${s.port} \\(http://127\\.0\\.0\\.1:${s.port}/\\) \\.\\.\\.\n`,
      ),
    );
    const r = await exchangeRaw(s.port, 'GET /page.txt HTTP/1.1\r\nHost: t\r\n\r\n');
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.version, 'HTTP/1.0');
    assert.equal(res!.body.toString(), 'from the cli\n');
    assert.deepEqual(res!.headers.get('x-served-by'), ['test']);
    const exited = new Promise<number | null>((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(s.out(), /\nKeyboard interrupt received, exiting\.\n$/);
    assert.match(s.err(), /"GET \/page\.txt HTTP\/1\.1" 200 -/);
  });
});

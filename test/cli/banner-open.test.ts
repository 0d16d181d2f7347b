import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { lanAddresses } from '../../src/cli/lan-addresses.js';
import { browserCommand } from '../../src/cli/open-browser.js';
import { KEYBOARD_INTERRUPT_LINE } from '../../src/server/banner.js';
import { curl } from '../helpers/curl.js';
import { MAIN, startServe } from '../helpers/serve-process.js';

const run = promisify(execFile);

const INTERFACES = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: 'fe80::1c2:3ff:fe04:506', family: 'IPv6', internal: false },
    { address: '2001:db8::7', family: 'IPv6', internal: false },
    { address: '192.168.1.20', family: 'IPv4', internal: false },
  ],
  wlan0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }],
  docker0: [{ address: '192.168.1.20', family: 'IPv4', internal: false }],
} as unknown as Parameters<typeof lanAddresses>[1];

/** A directory with a fake `xdg-open` that appends its argument to `opened`, as a desktop's would open it. */
function fakeOpener(): { bin: string; opened: string } {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-open-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const opened = join(dir, 'opened.txt');
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" >> '${opened}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  return { bin, opened };
}

/** The lines `file` holds once it holds any: polled every 50 ms, at most 10 s. */
async function linesOnce(file: string): Promise<string[]> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50);
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('the banner and --open', () => {
  it('lists LAN addresses: non-internal, IPv4 first, no link-local, no repeats; IPv4 only for 0.0.0.0', () => {
    assert.deepEqual(lanAddresses('any', INTERFACES), ['192.168.1.20', '10.0.0.5', '2001:db8::7']);
    assert.deepEqual(lanAddresses('IPv4', INTERFACES), ['192.168.1.20', '10.0.0.5']);
    assert.deepEqual(lanAddresses('any', {}), []);
  });

  it('bound to every interface, the banner prints a Network: URL per LAN address after Local:', async (t) => {
    const server = await startServe(t, ['-d', tmpdir(), '0']);
    assert.equal(await server.stop(), 0); // then every line it printed is in
    const expected = lanAddresses('any').map(
      (a) => `Network: http://${a.includes(':') ? `[${a}]` : a}:${server.port}/\n`,
    );
    assert.equal(
      server.out(),
      `Serving HTTP on :: port ${server.port} (http://[::]:${server.port}/) ...\n` +
        `Local: http://127.0.0.1:${server.port}/\n${expected.join('')}${KEYBOARD_INTERRUPT_LINE}`,
    );
  });

  it('bound to one address, the banner has no Network: line', async (t) => {
    const server = await startServe(t, ['-b', '127.0.0.1', '-d', tmpdir(), '0']);
    assert.equal(await server.stop(), 0);
    assert.doesNotMatch(server.out(), /Network:/);
    assert.ok(server.out().endsWith(`/\n${KEYBOARD_INTERRUPT_LINE}`));
  });

  it('each platform has its opener', () => {
    assert.deepEqual(browserCommand('linux', 'http://x/'), ['xdg-open', ['http://x/']]);
    assert.deepEqual(browserCommand('darwin', 'http://x/'), ['open', ['http://x/']]);
    assert.deepEqual(browserCommand('win32', 'http://x/'), ['cmd', ['/c', 'start', '""', 'http://x/']]);
  });

  it('--open opens the Local URL with the default browser', async (t) => {
    const { bin, opened } = fakeOpener();
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const server = await startServe(t, ['--open', '-b', '127.0.0.1', '-d', tmpdir(), '0'], env);
    assert.deepEqual(await linesOnce(opened), [`http://127.0.0.1:${server.port}/`]);
    assert.equal(await server.stop(), 0);
    assert.equal(server.err(), '');
  });

  it('--open without any opener on PATH: one quiet line, the server serves on', async (t) => {
    const empty = mkdtempSync(join(tmpdir(), 'basehttp-no-opener-'));
    const server = await startServe(t, ['--open', '-b', '127.0.0.1', '-d', tmpdir(), '0'], { PATH: empty });
    for (let i = 0; i < 200 && server.err() === ''; i++) await sleep(50);
    assert.equal(server.err(), 'basehttp: --open: cannot start xdg-open (ENOENT)\n');
    assert.equal((await curl(server.port, '/')).status, 200);
    assert.equal(await server.stop(), 0);
  });

  it('--open under --workers: the primary opens once', async (t) => {
    const { bin, opened } = fakeOpener();
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const args = ['--open', '--workers', '2', '-b', '127.0.0.1', '-d', tmpdir(), '0'];
    const server = await startServe(t, args, env);
    for (let i = 0; i < 4; i++) assert.equal((await curl(server.port, '/')).status, 200);
    assert.equal((await linesOnce(opened)).length, 1);
    assert.equal(await server.stop(), 0);
    assert.deepEqual(readFileSync(opened, 'utf8'), `http://127.0.0.1:${server.port}/\n`);
  });

  it('--open with --unix-socket is a usage error', async () => {
    const r = await run(process.execPath, [MAIN, '--open', '--unix-socket', '/tmp/x.sock']).catch(
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal((r as { code?: number }).code, 2);
    assert.match(r.stderr, /basehttp: error: --open .* --unix-socket/);
  });
});

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeCertificate } from '../helpers/certificate.js';

const run = promisify(execFile);
const ENTRY = new URL('../../src/index.js', import.meta.url).href;

/** A ported Python script: a handler and one call. `/slow` answers after the test has sent SIGINT. */
const script = (options: string): string => `
import { BaseHTTPRequestHandler, runServer } from ${JSON.stringify(ENTRY)};
class Handler extends BaseHTTPRequestHandler {
  async doGET() {
    if (this.path === '/slow') {
      process.stdout.write('in flight\\n');
      await new Promise((resolve) => process.once('SIGINT', () => setTimeout(resolve, 50)));
    }
    this.sendResponse(200);
    this.sendHeader('Content-Length', 5);
    this.endHeaders();
    this.wfile.write('done\\n');
  }
}
await runServer(Handler, { port: 0, bind: '127.0.0.1', logStream: null, ${options} });
process.stdout.write('returned\\n');
`;

/** Runs the script in a child process; `waitFor` resolves once its stdout matches. */
function start(options = ''): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script(options)], { stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(out);
        if (m === null) return;
        child.stdout.off('data', check);
        resolve(m);
      };
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`child exited; stdout: ${out}`)));
      check();
    });
  after(() => child.kill('SIGKILL'));
  return { child, output: () => out, waitFor, exited };
}

describe('runServer(): Python’s http.server.test()', () => {
  it('prints the banner, serves, and on SIGINT says so, lets a request in flight finish and returns', async () => {
    const { child, output, waitFor, exited } = start();
    const banner = await waitFor(
      /^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http:\/\/127\.0\.0\.1:(\d+)\/\) \.\.\.\n/,
    );
    assert.equal(banner[1], banner[2]);
    const base = `http://127.0.0.1:${banner[1]}`;
    assert.equal(await (await fetch(`${base}/`)).text(), 'done\n');
    const slow = fetch(`${base}/slow`).then((r) => r.text());
    await waitFor(/in flight\n/);
    child.kill('SIGINT');
    assert.equal(await slow, 'done\n', 'the request in flight is answered');
    assert.equal(await exited, 0);
    assert.match(output(), /\nKeyboard interrupt received, exiting\.\nreturned\n$/);
  });

  it('with tls, serves HTTPS and says so; SIGTERM stops it without the Ctrl-C line', async () => {
    const { dir, cert, key } = makeCertificate();
    after(() => rmSync(dir, { recursive: true, force: true }));
    const { child, output, waitFor, exited } = start(
      `tls: { certfile: ${JSON.stringify(cert)}, keyfile: ${JSON.stringify(key)} }`,
    );
    const banner = await waitFor(
      /^Serving HTTPS on 127\.0\.0\.1 port (\d+) \(https:\/\/127\.0\.0\.1:\1\/\) \.\.\.\n/,
    );
    const { stdout } = await run('curl', ['-sSk', `https://127.0.0.1:${banner[1]}/`]);
    assert.equal(stdout, 'done\n');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.doesNotMatch(output(), /Keyboard interrupt/);
    assert.match(output(), /returned\n$/);
  });
});

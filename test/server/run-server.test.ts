import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const ENTRY = new URL('../../src/index.js', import.meta.url).href;

/** A ported Python script: a handler and one call. `/slow` answers after the test has sent SIGINT. */
const SCRIPT = `
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
await runServer(Handler, { port: 0, bind: '127.0.0.1', logStream: null });
process.stdout.write('returned\\n');
`;

describe('runServer(): Python’s http.server.test()', () => {
  it('prints the banner, serves, and on SIGINT says so, lets a request in flight finish and returns', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    /** Resolves once stdout matches `pattern`; rejects if the child exits first. */
    const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m === null) return;
          child.stdout.off('data', check);
          resolve(m);
        };
        child.stdout.on('data', check);
        child.once('exit', () => reject(new Error(`child exited; stdout: ${out}`)));
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
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
      assert.match(out, /\nKeyboard interrupt received, exiting\.\nreturned\n$/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';
import { startExample } from '../helpers/example.js';

const run = promisify(execFile);

describe('examples and the public entry point', () => {
  it("the package resolves by its own name ('basehttp') to the same API", async () => {
    const name = 'basehttp'; // a variable, so tsc does not look for the built types before they exist
    const pkg = (await import(name)) as { HTTPServer: unknown; BaseHTTPRequestHandler: unknown };
    assert.equal(pkg.HTTPServer, HTTPServer);
    assert.equal(pkg.BaseHTTPRequestHandler, BaseHTTPRequestHandler);
  });

  it('hello answers GET with "Hello, World!" (Python urllib)', async () => {
    const hello = await startExample('hello');
    try {
      const { stdout } = await run('python3', [
        '-c',
        'import sys, urllib.request; r = urllib.request.urlopen(sys.argv[1]); print(r.status, r.read().decode())',
        hello.base,
      ]);
      assert.equal(stdout, '200 Hello, World!\n');
    } finally {
      hello.stop();
    }
  });

  it('echo (the issue usage snippet) returns a POST body, plain and chunked (curl)', async () => {
    const echo = await startExample('echo');
    try {
      const plain = await run('curl', ['-sS', '--data-binary', 'echo me', echo.base]);
      assert.equal(plain.stdout, 'echo me');
      const chunked = await run('sh', [
        '-c',
        `head -c 300000 /dev/zero | tr '\\0' 'e' | curl -sS -H 'Transfer-Encoding: chunked' --data-binary @- ${echo.base}`,
      ]);
      assert.equal(chunked.stdout, 'e'.repeat(300_000));
      const logged = /"POST \/ HTTP\/1\.1" 200 -[\s\S]*"POST \/ HTTP\/1\.1" 200 -/;
      for (let i = 0; i < 100 && !logged.test(echo.stderr()); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.match(echo.stderr(), logged, 'both requests are logged to stderr');
    } finally {
      echo.stop();
    }
  });
});

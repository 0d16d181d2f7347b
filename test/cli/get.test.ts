import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BaseHTTPRequestHandler, SimpleHTTPRequestHandler } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { serverForSuite, withServer } from '../helpers/server.js';
import { nginxForSuite } from '../client/nginx.js';
import { rawServer } from '../client/raw-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'basehttp-get-'));
writeFileSync(join(dir, 'page.txt'), 'page body\n');
writeFileSync(join(dir, 'text.txt'), 'compress me '.repeat(500));
writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 0x62));

function get(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'get', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

/** Echoes method, headers and body, so the command's request can be checked. */
class Mirror extends BaseHTTPRequestHandler {
  async doPOST(): Promise<void> {
    const body = await this.readBody();
    const out = Buffer.from(
      JSON.stringify({
        method: this.command,
        type: this.headers.get('content-type') ?? null,
        x: this.headers.get('x-test') ?? null,
        body: body.toString(),
      }),
    );
    this.sendResponse(200);
    this.sendHeader('Content-Length', out.length);
    this.endHeaders();
    this.wfile.write(out);
  }

  doPUT(): Promise<void> {
    return this.doPOST();
  }
}

describe('basehttp get', () => {
  const files = serverForSuite(SimpleHTTPRequestHandler.with({ directory: dir }));

  it('prints the body; -i adds the head; -I asks with HEAD', async () => {
    const base = `http://127.0.0.1:${files.port}`;
    assert.deepEqual(await get([`${base}/page.txt`]), { code: 0, stdout: 'page body\n', stderr: '' });
    const inc = await get(['-i', `${base}/page.txt`]);
    assert.match(
      inc.stdout,
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 10\r\n[\s\S]*\r\n\r\npage body\n$/,
    );
    const head = await get(['-I', `${base}/page.txt`]);
    assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
  });

  it('-v shows the request head as sent and the response head, on stderr', async () => {
    const res = await get([
      '-v',
      '--compressed',
      '-H',
      'X-Test: 1',
      `http://127.0.0.1:${files.port}/page.txt`,
    ]);
    assert.equal(res.code, 0);
    assert.equal(res.stdout, 'page body\n');
    assert.match(
      res.stderr,
      new RegExp(
        `^> GET /page\\.txt HTTP/1\\.1\\n> Host: 127\\.0\\.0\\.1:${files.port}\\n> X-Test: 1\\n> Accept-Encoding: gzip, br, deflate\\n> \\n< HTTP/1\\.1 200 OK\\n`,
      ),
    );
    assert.match(res.stderr, /\n< Content-Length: 10\n[\s\S]*\n< \n$/);
  });

  it('-o on a terminal draws a progress bar with bytes, rate and time left', async (t) => {
    // `script` (util-linux / bsdutils) runs the command on a pseudo-terminal, so stderr is a TTY.
    const out = join(dir, 'big.copy');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} get -o ${JSON.stringify(out)} http://127.0.0.1:${files.port}/big.bin`;
    const tty = await new Promise<{ code: number; text: string } | null>((resolve) => {
      execFile('script', ['-qec', command, '/dev/null'], { timeout: 10_000 }, (err, stdout) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(null);
        else resolve({ code: err === null ? 0 : -1, text: stdout });
      });
    });
    if (tty === null) {
      t.skip('needs the script command (util-linux) for a pseudo-terminal');
      return;
    }
    assert.equal(tty.code, 0);
    assert.equal(readFileSync(out).length, 3 * 1024 * 1024);
    assert.match(tty.text, /\r100% \[#{20}\] 3\.0 MiB \/ 3\.0 MiB {2}[\d.]+ (KiB|MiB)\/s {2}ETA 0 s/);
    // Without a terminal: no progress output at all.
    const plain = await get(['-o', out, `http://127.0.0.1:${files.port}/big.bin`]);
    assert.deepEqual(plain, { code: 0, stdout: '', stderr: '' });
  });

  it('-o writes a file; -L follows a redirect; --compressed decodes', async () => {
    const base = `http://127.0.0.1:${files.port}`;
    const out = join(dir, 'saved.txt');
    assert.equal((await get(['-o', out, `${base}/page.txt`])).code, 0);
    assert.equal(readFileSync(out, 'utf8'), 'page body\n');
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'index.html'), 'docs index\n');
    const moved = await get(['-i', `${base}/docs`]);
    assert.match(
      moved.stdout,
      /^HTTP\/1\.1 301 Moved Permanently\r\n[\s\S]*Location: \/docs\/\r\n[\s\S]*\r\n\r\n$/,
    );
    assert.equal((await get(['-L', `${base}/docs`])).stdout, 'docs index\n');
    const compressed = await get(['--compressed', '-v', `${base}/text.txt`]);
    assert.equal(compressed.stdout, 'compress me '.repeat(500));
    assert.match(compressed.stderr, /< Content-Encoding: (br|gzip)/);
  });

  it('-X, -H, -d and --data-binary @file shape the request', async () => {
    await withServer(Mirror, {}, async (s) => {
      const url = `http://127.0.0.1:${s.port}/m`;
      const form = JSON.parse((await get(['-d', 'a=1&b=2', '-H', 'X-Test: yes', url])).stdout) as Record<
        string,
        string
      >;
      assert.deepEqual(form, {
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        x: 'yes',
        body: 'a=1&b=2',
      });
      const file = join(dir, 'upload.bin');
      writeFileSync(file, 'file contents');
      const put = JSON.parse((await get(['-X', 'PUT', '--data-binary', `@${file}`, url])).stdout) as Record<
        string,
        string
      >;
      assert.deepEqual(put, { method: 'PUT', type: null, x: null, body: 'file contents' });
    });
  });

  it('exit codes: --fail on 4xx is 22, a refused connection is 7 with one line', async () => {
    const missing = await get(['--fail', `http://127.0.0.1:${files.port}/missing`]);
    assert.equal(missing.code, 22);
    assert.equal(missing.stdout, '', 'no body with --fail');
    assert.equal(missing.stderr, 'basehttp get: the server answered 404 File not found\n');
    assert.equal(
      (await get([`http://127.0.0.1:${files.port}/missing`])).code,
      0,
      'without --fail an answer is success',
    );
    const refused = await get(['http://127.0.0.1:1/']);
    assert.equal(refused.code, 7);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.equal((await get([])).code, 2);
  });

  it('-m: a server that never answers is exit 28', async () => {
    const silent = await rawServer(() => {});
    const res = await get(['-m', '0.3', `http://127.0.0.1:${silent.port}/`]);
    assert.equal(res.code, 28);
    assert.equal(res.stderr, `basehttp get: no answer from 127.0.0.1:${silent.port} within 300 ms\n`);
    await silent.close();
  });
});

describe('basehttp get over HTTPS (nginx with a certificate made here)', () => {
  const made = makeCertificate();
  const nginx = nginxForSuite(
    () =>
      `ssl_certificate ${made.cert}; ssl_certificate_key ${made.key}; location / { return 200 "tls ok"; }`,
    { ssl: true },
  );

  it('refuses a self-signed certificate (exit 60, one line); -k accepts it', async () => {
    const url = `https://127.0.0.1:${nginx.port}/`;
    const strict = await get([url]);
    assert.equal(strict.code, 60);
    // Node 24 adds a hint after a semicolon ("; if the root CA is installed locally, try …"): still one line.
    assert.match(strict.stderr, /^basehttp get: self[- ]signed certificate(?:; [^\n]+)?\n$/);
    assert.deepEqual(await get(['-k', url]), { code: 0, stdout: 'tls ok', stderr: '' });
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BaseHTTPRequestHandler,
  HTTPServer,
  HTTPSServer,
  SimpleHTTPRequestHandler,
} from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { serverForSuite, withServer } from '../helpers/server.js';
import { forwardProxy, type ForwardProxy } from '../client/forward-proxy.js';
import { nginxForSuite } from '../client/nginx.js';
import { rawServer } from '../client/raw-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const dir = mkdtempSync(join(tmpdir(), 'basehttp-get-'));
writeFileSync(join(dir, 'page.txt'), 'page body\n');
writeFileSync(join(dir, 'text.txt'), 'compress me '.repeat(500));
writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 0x62));

/** Runs `basehttp get` with `args`, and with `env` added to the environment. */
function get(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { timeout: 10_000, env: { ...process.env, ...env } };
    execFile(process.execPath, [MAIN, 'get', ...args], options, (err, stdout, stderr) => {
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
        `^> GET /page\\.txt HTTP/1\\.1\\n> Host: 127\\.0\\.0\\.1:${files.port}\\n> User-Agent: basehttp/${VERSION.replace(/\./g, '\\.')}\\n> X-Test: 1\\n> Accept-Encoding: gzip, br, deflate\\n> \\n< HTTP/1\\.1 200 OK\\n`,
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
      // -d @FILE reads the file as curl does: its carriage returns and newlines dropped.
      const lines = join(dir, 'form.txt');
      writeFileSync(lines, 'a=1&\r\nb=2\n');
      const posted = JSON.parse((await get(['-d', `@${lines}`, url])).stdout) as Record<string, string>;
      assert.equal(posted['body'], 'a=1&b=2');
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
    assert.equal(res.stderr, `basehttp get: operation timed out after 300 ms (--max-time)\n`);
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

/** Answers every GET with the User-Agent it was sent (or "none"). */
class UserAgentEcho extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from(this.headers.get('user-agent') ?? 'none');
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

/** Ignores Range: every GET gets the whole body, 200. */
class WholeBody extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from('0123456789');
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

/** Answers a range with a 206 that starts somewhere else than asked. */
class WrongRange extends BaseHTTPRequestHandler {
  doGET(): void {
    this.sendResponse(206);
    this.sendHeader('Content-Range', 'bytes 2-9/10');
    this.sendHeader('Content-Length', 8);
    this.endHeaders();
    this.wfile.write('23456789');
  }
}

describe('basehttp get: version, scheme, User-Agent, -s', () => {
  const agents = serverForSuite(UserAgentEcho);

  it('--version and -V print the version of package.json, on both commands', async () => {
    for (const args of [['get', '--version'], ['get', '-V'], ['--version'], ['-V']]) {
      const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [MAIN, ...args], { timeout: 10_000 }, (err, stdout) =>
          resolve({ code: err === null ? 0 : -1, stdout }),
        );
      });
      assert.deepEqual(r, { code: 0, stdout: `basehttp ${VERSION}\n` }, args.join(' '));
    }
  });

  it('a URL without a scheme is http://; the User-Agent is basehttp/VERSION unless -H gives one', async () => {
    assert.deepEqual(await get([`127.0.0.1:${agents.port}/`]), {
      code: 0,
      stdout: `basehttp/${VERSION}`,
      stderr: '',
    });
    assert.equal((await get(['-H', 'user-agent: mine/1', `127.0.0.1:${agents.port}/`])).stdout, 'mine/1');
  });

  it('-s hides error messages (the exit status stays); -sS shows them', async () => {
    assert.deepEqual(await get(['-s', 'http://127.0.0.1:1/']), { code: 7, stdout: '', stderr: '' });
    const shown = await get(['-sS', 'http://127.0.0.1:1/']);
    assert.equal(shown.code, 7);
    assert.match(shown.stderr, /^basehttp get: .*ECONNREFUSED.*\n$/);
  });
});

describe('basehttp get -C - (resume)', () => {
  const files = serverForSuite(SimpleHTTPRequestHandler.with({ directory: dir }));
  const whole = serverForSuite(WholeBody);
  const wrong = serverForSuite(WrongRange);
  const nginx = nginxForSuite(() => `root ${dir};`);
  writeFileSync(join(dir, 'digits.txt'), '0123456789');

  /** A file in the temp directory holding `text`; its path. */
  function partial(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('asks for the rest of a partial file and appends it (basehttp and nginx); a missing file starts at 0', async () => {
    for (const [server, port] of [
      ['basehttp', files.port],
      ['nginx', nginx.port],
    ] as const) {
      const out = partial(`part-${server}.txt`, '0123');
      const res = await get(['-v', '-C', '-', '-o', out, `http://127.0.0.1:${port}/digits.txt`]);
      assert.equal(res.code, 0, server);
      assert.match(res.stderr, /\n> Range: bytes=4-\n[\s\S]*\n< HTTP\/1\.1 206 Partial Content\n/, server);
      assert.equal(readFileSync(out, 'utf8'), '0123456789', server);
    }
    const fresh = join(dir, 'fresh.txt');
    const res = await get(['-v', '-C', '-', '-o', fresh, `http://127.0.0.1:${files.port}/digits.txt`]);
    assert.equal(res.code, 0);
    assert.doesNotMatch(res.stderr, /Range:/);
    assert.equal(readFileSync(fresh, 'utf8'), '0123456789');
  });

  it('416 (the file is complete) leaves the file alone and succeeds, with --fail too, as curl', async () => {
    for (const port of [files.port, nginx.port]) {
      const out = partial('complete.txt', '0123456789');
      assert.deepEqual(await get(['--fail', '-C', '-', '-o', out, `http://127.0.0.1:${port}/digits.txt`]), {
        code: 0,
        stdout: '',
        stderr: '',
      });
      assert.equal(readFileSync(out, 'utf8'), '0123456789');
    }
  });

  it('200 (the server ignores Range) starts the file over', async () => {
    const out = partial('over.txt', 'abcd');
    assert.equal((await get(['-C', '-', '-o', out, `http://127.0.0.1:${whole.port}/`])).code, 0);
    assert.equal(readFileSync(out, 'utf8'), '0123456789');
  });

  it('a 206 from another byte, or an error status, is exit 33 and the file stays as it was', async () => {
    const out = partial('kept.txt', '0123');
    const shifted = await get(['-C', '-', '-o', out, `http://127.0.0.1:${wrong.port}/`]);
    assert.equal(shifted.code, 33);
    assert.equal(
      shifted.stderr,
      'basehttp get: the server did not resume at byte 4 (206 Partial Content, from byte 2)\n',
    );
    const missing = await get(['-C', '-', '-o', out, `http://127.0.0.1:${files.port}/missing.txt`]);
    assert.equal(missing.code, 33);
    assert.equal(readFileSync(out, 'utf8'), '0123');
  });

  it('-C OFFSET without -o prints from OFFSET; -C - without -o is a usage error', async () => {
    assert.equal((await get(['-C', '6', `http://127.0.0.1:${files.port}/digits.txt`])).stdout, '6789');
    const usage = await get(['-C', '-', `http://127.0.0.1:${files.port}/digits.txt`]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /error: -C - needs -o FILE/);
  });
});

describe('basehttp get --cacert (HTTPS basehttp with a test CA)', () => {
  const made = makeCertificate();
  let server: HTTPSServer;
  let serving: Promise<void>;
  before(async () => {
    server = new HTTPSServer({ host: '127.0.0.1', port: 0 }, UserAgentEcho, {
      certfile: made.cert,
      keyfile: made.key,
      logStream: null,
    });
    await server.listen();
    serving = server.serveForever();
  });
  after(async () => {
    await server.shutdown(500);
    await serving;
  });

  it('trusts the CA in the file; without it the certificate is refused (60); an unreadable file is 77', async () => {
    const url = `https://127.0.0.1:${server.serverPort}/`;
    assert.deepEqual(await get(['--cacert', made.cert, '-H', 'User-Agent: tls', url]), {
      code: 0,
      stdout: 'tls',
      stderr: '',
    });
    assert.equal((await get([url])).code, 60);
    const unreadable = await get(['--cacert', join(made.dir, 'none.pem'), url]);
    assert.equal(unreadable.code, 77);
    assert.match(unreadable.stderr, /^basehttp get: cannot read the CA file: .*ENOENT/);
  });
});

describe('basehttp get -m (total time, as curl)', () => {
  it('a server that keeps sending, too slowly, is cut at the limit: exit 28, the part received printed', async () => {
    // One byte every 50 ms, 100 at most: never silent, so only a limit on the whole transfer stops it early.
    const trickle = await rawServer((socket, received) => {
      if (!received.endsWith('\r\n\r\n')) return;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || sent === 100) clearInterval(timer);
        else socket.write(String(sent++ % 10));
      }, 50);
    });
    const res = await get(['-m', '0.5', `http://127.0.0.1:${trickle.port}/`]);
    await trickle.close();
    assert.equal(res.code, 28);
    assert.equal(res.stderr, 'basehttp get: operation timed out after 500 ms (--max-time)\n');
    assert.ok(res.stdout.length > 0 && res.stdout.length < 100, `printed ${res.stdout.length} bytes`);
  });

  it('a bad value is a usage error', async () => {
    for (const value of ['0', 'soon', '-1'])
      assert.equal((await get(['-m', value, 'http://127.0.0.1:1/'])).code, 2);
  });
});

describe('basehttp get through proxies (as curl: the environment by default, --proxy, --noproxy)', () => {
  const files = serverForSuite(SimpleHTTPRequestHandler.with({ directory: dir }));
  const made = makeCertificate();
  const nginx = nginxForSuite(
    () =>
      `ssl_certificate ${made.cert}; ssl_certificate_key ${made.key}; location / { return 200 "tls via $host"; }`,
    { ssl: true },
  );
  let proxy: ForwardProxy;
  before(async () => {
    proxy = await forwardProxy({ credentials: 'me:pw' });
  });
  after(() => proxy.close());

  it('HTTP_PROXY and --proxy send absolute-form to the proxy; --noproxy, NO_PROXY and -x "" go direct', async () => {
    const url = `http://127.0.0.1:${files.port}/page.txt`;
    const via = `http://me:pw@127.0.0.1:${proxy.port}`;
    assert.deepEqual(await get([url], { HTTP_PROXY: via }), { code: 0, stdout: 'page body\n', stderr: '' });
    assert.equal((await get(['--proxy', via, url])).stdout, 'page body\n');
    assert.deepEqual(
      proxy.forwarded.map((request) => request.url),
      [url, url],
    );
    for (const [args, env] of [
      [['--noproxy', '127.0.0.1', url], { http_proxy: via }],
      [[url], { http_proxy: via, NO_PROXY: 'localhost,127.0.0.0/8' }],
      [['--proxy', via, url], { no_proxy: '*' }],
      [['-x', '', url], { http_proxy: via }],
    ] as const) {
      assert.equal((await get([...args], env)).stdout, 'page body\n');
    }
    assert.equal(proxy.forwarded.length, 2, 'none of these went through the proxy');
  });

  it('https through a CONNECT tunnel, the certificate checked against the origin; 407 is exit 56', async () => {
    const url = `https://localhost:${nginx.port}/`;
    const ok = await get(['--cacert', made.cert, url], {
      HTTPS_PROXY: `127.0.0.1:${proxy.port}`,
      https_proxy: `http://me:pw@127.0.0.1:${proxy.port}`,
    });
    assert.deepEqual(ok, { code: 0, stdout: 'tls via localhost', stderr: '' });
    assert.deepEqual(proxy.tunnels, [`localhost:${nginx.port}`]);
    // -v shows the tunnel being set up, as curl -v does: the CONNECT, the proxy's answer, then the request.
    const verbose = await get(['-v', '--cacert', made.cert, url], {
      https_proxy: `http://me:pw@127.0.0.1:${proxy.port}`,
    });
    assert.equal(verbose.code, 0);
    const authority = `localhost:${nginx.port}`;
    const traced = verbose.stderr.split('\n');
    const connect = traced.indexOf(`> CONNECT ${authority} HTTP/1.1`);
    assert.ok(connect >= 0, verbose.stderr);
    assert.equal(traced[connect + 1], `> Host: ${authority}`);
    assert.match(traced[connect + 2]!, /^> Proxy-Authorization: Basic /);
    const answer = traced.indexOf('< HTTP/1.1 200 Connection Established');
    const request = traced.indexOf('> GET / HTTP/1.1');
    assert.ok(connect < answer && answer < request, verbose.stderr);
    assert.ok(!traced.slice(request).some((line) => line.includes('Proxy-Authorization')), verbose.stderr);
    const refused = await get(['--cacert', made.cert, '-x', `127.0.0.1:${proxy.port}`, url]);
    assert.equal(refused.code, 56);
    assert.equal(
      refused.stderr,
      `basehttp get: proxy http://127.0.0.1:${proxy.port} asks for credentials (407 Proxy Authentication Required)\n`,
    );
  });

  it('--unix-socket talks to a server on a Unix socket', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'basehttp-get-uds-')), 'files.sock');
    const server = new HTTPServer({ socketPath }, SimpleHTTPRequestHandler.with({ directory: dir }), {
      logStream: null,
    });
    await server.start();
    try {
      const res = await get(['-i', '--unix-socket', socketPath, 'http://localhost/page.txt']);
      assert.equal(res.code, 0);
      assert.match(res.stdout, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npage body\n$/);
    } finally {
      await server.shutdown(500);
    }
  });
});

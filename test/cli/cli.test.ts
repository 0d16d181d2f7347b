import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exchangeRaw, parseResponses } from '../helpers/server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

/** A running child: killed when the test ends, whatever happened, so a failed assertion cannot hang the run. */
function reap(t: TestContext, child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return exited;
}

/** Reads a child's stdout until `pattern` matches; rejects if the child exits first. */
function waitFor(child: ChildProcess, pattern: RegExp, seen: () => string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = pattern.exec(seen());
      if (m) resolve(m);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${seen()}`)));
    check();
  });
}

/**
 * Starts `basehttp` and resolves once its whole banner is out, with the port it printed; `stop()` sends
 * Ctrl-C's signal and resolves with the exit status.
 */
async function start(t: TestContext, args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = reap(t, child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const m = await waitFor(child, /port (\d+) .*\nLocal: .*\n/, () => out);
  const stop = (): Promise<number | null> => {
    child.kill('SIGINT');
    return exited;
  };
  return { child, port: Number(m[1]), out: () => out, err: () => err, stop };
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
    for (const args of [
      ['notaport'],
      ['-p', 'HTTP/2'],
      ['--log-format', 'xml'],
      ['-H', 'no colon'],
      ['-H', 'Bad Name: x'],
      ['-H', 'X-A: 1\nEvil: 2'],
    ]) {
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

  it('serves a directory with a banner, flags applied, and exits 0 on Ctrl-C', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-'));
    writeFileSync(join(dir, 'page.txt'), 'from the cli\n');
    const s = await start(t, [
      '-b',
      '127.0.0.1',
      '-d',
      dir,
      '-p',
      'HTTP/1.0',
      '-H',
      'X-Served-By: test',
      '0',
    ]);
    assert.match(
      s.out(),
      new RegExp(
        `^Serving HTTP on 127\\.0\\.0\\.1 port ${s.port} \\(http://127\\.0\\.0\\.1:${s.port}/\\) \\.\\.\\.\n`,
      ),
    );
    const r = await exchangeRaw(s.port, 'GET /page.txt HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 });
    const [res] = parseResponses(r.bytes);
    assert.equal(res!.version, 'HTTP/1.0');
    assert.equal(res!.body.toString(), 'from the cli\n');
    assert.deepEqual(res!.headers.get('x-served-by'), ['test']);
    assert.equal(await s.stop(), 0);
    assert.match(s.out(), /\nKeyboard interrupt received, exiting\.\n$/);
    assert.match(s.err(), /"GET \/page\.txt HTTP\/1\.1" 200 -/);
  });

  it('applies the file-server flags', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'page.txt'), 'from the cli\n'.repeat(200));
    const s = await start(t, [
      ...['-b', '127.0.0.1', '-d', dir, '--cors', '--cache', '60', '--no-listing', '--no-compression'],
      ...['--auth', 'ann:s3cret', '--log-format', 'json', '--spa', 'app.html', '0'],
    ]);
    const ask = async (path: string, ...headers: string[]) => {
      const head = ['Authorization: Basic ' + Buffer.from('ann:s3cret').toString('base64'), ...headers];
      const raw = await exchangeRaw(
        s.port,
        `GET ${path} HTTP/1.1\r\nHost: t\r\n${head.join('\r\n')}\r\n\r\n`,
      );
      return parseResponses(raw.bytes)[0]!;
    };
    const page = await ask('/page.txt', 'Accept-Encoding: br, gzip');
    assert.equal(page.status, 200);
    assert.deepEqual(page.headers.get('access-control-allow-origin'), ['*']);
    assert.deepEqual(page.headers.get('cache-control'), ['max-age=60']);
    assert.equal(page.headers.get('content-encoding'), undefined, '--no-compression');
    assert.equal((await ask('/docs/')).status, 404, '--no-listing');
    const denied = parseResponses(
      (await exchangeRaw(s.port, 'GET /page.txt HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 })).bytes,
    )[0]!;
    assert.equal(denied.status, 401, '--auth');
    writeFileSync(join(dir, 'app.html'), '<p>app</p>\n');
    assert.equal((await ask('/a/route', 'Accept: text/html')).body.toString(), '<p>app</p>\n', '--spa');
    assert.equal(await s.stop(), 0);
    const [warning, ...log] = s.err().trimEnd().split('\n');
    assert.equal(warning, `basehttp: warning: --spa file not found: ${join(dir, 'app.html')}`);
    const entries = log.map((l) => JSON.parse(l) as { path?: string; status?: number; level?: string });
    assert.deepEqual(
      entries.filter((e) => e.status !== undefined).map((e) => `${e.path} ${e.status}`),
      ['/page.txt 200', '/docs/ 404', '/page.txt 401', '/a/route 200'],
      '--log-format json',
    );
  });

  it('--quiet keeps the error lines only', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-'));
    writeFileSync(join(dir, 'page.txt'), 'quiet\n');
    const s = await start(t, ['-b', '127.0.0.1', '-d', dir, '--quiet', '0']);
    await exchangeRaw(
      s.port,
      'GET /page.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n',
      { responses: 2 },
    );
    assert.equal(await s.stop(), 0);
    assert.match(s.err(), /^127\.0\.0\.1 - - \[.*\] code 404, message File not found\n$/);
  });

  it('an IPv6 address is bracketed in the banner URLs', async (t) => {
    const s = await start(t, ['-b', '::1', '-d', tmpdir(), '0']);
    assert.equal(
      s.out(),
      `Serving HTTP on ::1 port ${s.port} (http://[::1]:${s.port}/) ...\nLocal: http://[::1]:${s.port}/\n`,
    );
    assert.equal(await s.stop(), 0);
  });

  it('colours the status in the access log on a terminal only', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-'));
    writeFileSync(join(dir, 'page.txt'), 'tty\n');
    // util-linux `script` runs the server on a pseudo-terminal and copies what it prints to our pipe.
    const command = [process.execPath, MAIN, '-b', '127.0.0.1', '-d', dir, '0']
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = reap(t, child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const port = Number((await waitFor(child, /port (\d+) /, () => out))[1]);
    await exchangeRaw(
      port,
      'GET /page.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n',
      {
        responses: 2,
      },
    );
    await waitFor(child, /\/nope [^\n]*\n/, () => out);
    child.kill('SIGTERM'); // script hangs up the terminal, which ends the server
    await exited;
    // eslint-disable-next-line no-control-regex -- the ANSI colour codes are what is checked
    assert.match(out, /"GET \/page\.txt HTTP\/1\.1" \x1b\[32m200\x1b\[0m -/);
    // eslint-disable-next-line no-control-regex -- the ANSI colour codes are what is checked
    assert.match(out, /"GET \/nope HTTP\/1\.1" \x1b\[33m404\x1b\[0m -/);
  });

  it('--unix-socket: serves on the socket (curl reaches it), removes it on Ctrl-C, refuses one in use', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-uds-'));
    writeFileSync(join(dir, 'page.txt'), 'over a unix socket\n');
    const path = join(dir, 'web.sock');
    const child = spawn(process.execPath, [MAIN, '--unix-socket', path, '-d', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = reap(t, child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await waitFor(child, /\nLocal: .*\n/, () => out);
    assert.equal(
      out,
      `Serving HTTP on unix socket ${path} ...\nLocal: curl --unix-socket ${path} http://localhost/\n`,
    );
    const page = await promisify(execFile)('curl', [
      '-sS',
      '--unix-socket',
      path,
      'http://localhost/page.txt',
    ]);
    assert.equal(page.stdout, 'over a unix socket\n');
    const inUse = await cli(['--unix-socket', path, '-d', dir]);
    assert.equal(inUse.code, 1);
    assert.equal(
      inUse.stderr,
      `basehttp: cannot listen on the Unix socket ${path}: ${path} is in use: a server is listening on it\n`,
    );
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(existsSync(path), false);
    const withWorkers = await cli(['--unix-socket', path, '--workers', '2']);
    assert.equal(withWorkers.code, 2);
    assert.match(withWorkers.stderr, /--unix-socket serves from one process/);
  });

  it('--live with --workers: pages get the script, a save reaches the stream, Ctrl-C ends it at once', async (t) => {
    const refused = await cli(['--live-ignore', 'dist']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /basehttp: error: --live-ignore needs --live/);
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-cli-live-'));
    writeFileSync(join(dir, 'index.html'), '<body>live</body>');
    const s = await start(t, [
      ...['-b', '127.0.0.1', '-d', dir],
      '--live',
      '--live-ignore',
      'dist',
      ...['--workers', '2', '0'],
    ]);
    const page = parseResponses(
      (await exchangeRaw(s.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 })).bytes,
    )[0]!;
    assert.match(page.body.toString(), /^<body>live<script>.*EventSource.*<\/script><\/body>$/);
    const stream = spawn('curl', ['-sN', '--max-time', '30', `http://127.0.0.1:${s.port}/__basehttp/live`]);
    const streamEnded = reap(t, stream);
    let events = '';
    stream.stdout.on('data', (d) => (events += d));
    await waitFor(stream, /^retry: 1000\n\n/, () => events);
    writeFileSync(join(dir, 'index.html'), '<body>saved</body>');
    await waitFor(stream, /event: reload\ndata: \["index\.html"\]\n\n/, () => events);
    assert.equal(await s.stop(), 0);
    assert.equal(await streamEnded, 0, 'the stream ended with its last chunk, not cut');
  });
});

describe('what the file server loads', () => {
  it("does not load Node's fetch implementation (the Fetch face's) unless --app is given", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-load-'));
    const probe = join(dir, 'probe.mjs');
    // Said at exit: whether Node's bundled undici (what the global Response and Request come from) was loaded.
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write(`undici loaded: ${process.moduleLoadList.some((m) => m.includes('undici'))}\\n`));\n",
    );
    const app = join(dir, 'app.mjs');
    writeFileSync(app, 'export default () => new Response("ok");\n');
    // A port in use makes the server fail to listen, so each run ends once it has loaded what it serves with.
    const taken = net.createServer().listen(0, '127.0.0.1');
    t.after(() => taken.close());
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    const run = (args: string[]): Promise<string> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          ['--import', probe, MAIN, '-b', '127.0.0.1', ...args, port],
          { timeout: 10_000 },
          (_err, _out, stderr) => resolve(stderr),
        );
      });
    const files = await run(['-d', dir]);
    assert.match(files, /Address already in use|EADDRINUSE/i);
    assert.match(files, /undici loaded: false/);
    assert.match(await run(['--app', app]), /undici loaded: true/);
  });
});

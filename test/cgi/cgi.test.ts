import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CGIHTTPRequestHandler } from '../../src/index.js';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'basehttp-cgi-'));
mkdirSync(join(root, 'cgi-bin', 'nested'), { recursive: true });

function script(rel: string, text: string, executable = true): void {
  writeFileSync(join(root, rel), text);
  if (executable) chmodSync(join(root, rel), 0o755);
}

script('cgi-bin/env.sh', '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\n"\nenv | sort\n');
script(
  'cgi-bin/echo.py',
  '#!/usr/bin/env python3\nimport sys\ndata = sys.stdin.buffer.read()\nsys.stdout.write("Content-Type: application/octet-stream\\r\\nX-Length: %d\\r\\n\\r\\n" % len(data))\nsys.stdout.flush()\nsys.stdout.buffer.write(data)\n',
);
script(
  'cgi-bin/status.sh',
  '#!/bin/sh\nprintf "Status: 418 I am a teapot\\nContent-Type: text/plain\\n\\nshort and stout"\n',
);
script('cgi-bin/away.sh', '#!/bin/sh\nprintf "Location: http://example.com/elsewhere\\n\\n"\n');
script('cgi-bin/local.sh', '#!/bin/sh\nprintf "Location: /static.txt\\n\\n"\n');
script('cgi-bin/broken.sh', '#!/bin/sh\necho "this is not a header"\necho\necho body\n');
script(
  'cgi-bin/noisy.sh',
  '#!/bin/sh\necho "warning from the script" >&2\nprintf "Content-Type: text/plain\\n\\nok"\n',
);
script('cgi-bin/slow.sh', `#!/bin/sh\nsleep 30 &\necho $! > "${root}/child.pid"\nsleep 30\n`);
script('cgi-bin/status302.sh', '#!/bin/sh\nprintf "Status: 302 Found\\nLocation: /static.txt\\n\\n"\n');
script('cgi-bin/network-path.sh', '#!/bin/sh\nprintf "Location: //elsewhere.example/x\\n\\n"\n');
script('cgi-bin/loop.sh', '#!/bin/sh\nprintf "Location: /cgi-bin/loop.sh\\n\\n"\n');
script('cgi-bin/status101.sh', '#!/bin/sh\nprintf "Status: 101 Switching Protocols\\n\\nbody"\n');
script('cgi-bin/status000.sh', '#!/bin/sh\nprintf "Status: 000\\n\\nbody"\n');
script('cgi-bin/control.sh', '#!/bin/sh\nprintf "X-Bad: a\\001b\\n\\nbody"\n');
script('cgi-bin/overlong.sh', '#!/bin/sh\nprintf "Content-Length: 3\\n\\nmore than three"\n');
script(
  'cgi-bin/halting.sh',
  '#!/bin/sh\nprintf "first half, " >&2\nsleep 0.2\nprintf "second half\\n" >&2\nprintf "Content-Type: text/plain\\n\\nok"\n',
);
script('cgi-bin/.hidden.sh', '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nhidden script ran"\n');
const outside = mkdtempSync(join(tmpdir(), 'basehttp-cgi-outside-'));
writeFileSync(
  join(outside, 'out.sh'),
  '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\noutside script ran"\n',
);
chmodSync(join(outside, 'out.sh'), 0o755);
symlinkSync(join(outside, 'out.sh'), join(root, 'cgi-bin', 'outside.sh'));
script('cgi-bin/nested/deep.sh', '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\ndeep $PATH_INFO"\n');
script('cgi-bin/plain.txt', '#!/bin/sh\necho secret source\n', false);
writeFileSync(join(root, 'static.txt'), 'static file\n');

class Handler extends CGIHTTPRequestHandler.with({ directory: root }) {
  // Only slow.sh (30 s) should reach it, python3 can take over a second to start on a loaded machine, and
  // get() gives up after 3 s of silence.
  override cgiTimeout = 2500;
}

async function get(
  port: number,
  path: string,
  extra = '',
  body = '',
): Promise<{ status: number; headers: Map<string, string[]>; body: string }> {
  const method = body === '' ? 'GET' : 'POST';
  const raw = await exchangeRaw(
    port,
    `${method} ${path} HTTP/1.1\r\nHost: t\r\n${extra}${body === '' ? '' : `Content-Length: ${body.length}\r\n`}Connection: close\r\n\r\n${body}`,
    { untilClose: true },
  );
  const [res] = parseResponses(raw.bytes);
  return { status: res!.status, headers: res!.headers, body: res!.body.toString() };
}

/**
 * Waits (bounded) until `pid` is gone or a zombie — killed, waiting for a reaper that PID 1 here may never be —
 * and fails if it is still running.
 */
async function assertKilled(pid: number, what: string): Promise<void> {
  const state = (): string => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);
    } catch {
      return 'gone';
    }
  };
  for (let i = 0; i < 100 && !['gone', 'Z'].includes(state()); i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.ok(['gone', 'Z'].includes(state()), `${what} is still running (state ${state()})`);
}

describe('CGIHTTPRequestHandler', () => {
  const ctx = serverForSuite(Handler);

  it('sets the CGI/1.1 meta-variables and HTTP_* for headers, except Proxy (httpoxy)', async () => {
    const r = await get(
      ctx.port,
      '/cgi-bin/env.sh/extra/path?a=1&b=%20x',
      'Proxy: http://evil.example:8080\r\nX-Custom: yes\r\nAuthorization: Basic YW5uOnB3\r\n',
    );
    assert.equal(r.status, 200);
    const env = Object.fromEntries(
      r.body
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(env['GATEWAY_INTERFACE'], 'CGI/1.1');
    assert.equal(env['REQUEST_METHOD'], 'GET');
    assert.equal(env['SCRIPT_NAME'], '/cgi-bin/env.sh');
    assert.equal(env['PATH_INFO'], '/extra/path');
    assert.equal(env['PATH_TRANSLATED'], join(root, 'extra', 'path'));
    assert.equal(env['QUERY_STRING'], 'a=1&b=%20x');
    assert.equal(env['SERVER_PORT'], String(ctx.port));
    assert.equal(env['SERVER_PROTOCOL'], 'HTTP/1.1');
    assert.equal(env['SERVER_NAME'], '127.0.0.1');
    assert.equal(env['REMOTE_ADDR'], '127.0.0.1');
    assert.equal(env['AUTH_TYPE'], 'Basic');
    assert.equal(env['REMOTE_USER'], 'ann');
    assert.equal(env['HTTP_X_CUSTOM'], 'yes');
    assert.equal(env['HTTP_PROXY'], undefined);
    assert.match(env['SERVER_SOFTWARE']!, /^basehttp\//);
    assert.equal(env['CONTENT_LENGTH'], undefined, 'no body, no CONTENT_LENGTH');
  });

  it('QUERY_STRING stops at a fragment a raw client sent, and is empty when the ? is inside it', async () => {
    for (const [target, query] of [
      ['/cgi-bin/env.sh?a=1#b=2', 'a=1'],
      ['/cgi-bin/env.sh#x?a=1', ''],
    ]) {
      const r = await get(ctx.port, target!);
      assert.equal(r.status, 200, target);
      assert.match(r.body, new RegExp(`^QUERY_STRING=${query}$`, 'm'), target);
    }
  });

  it("CONTENT_TYPE and CONTENT_LENGTH for a body; SERVER_PROTOCOL is the request's; X_Name fields are left out", async () => {
    const raw = await exchangeRaw(
      ctx.port,
      'POST /cgi-bin/env.sh HTTP/1.0\r\nContent-Type: text/x-test\r\nContent-Length: 3\r\nX-User: real\r\nX_User: forged\r\n\r\nabc',
      { untilClose: true },
    );
    const body = parseResponses(raw.bytes)[0]!.body.toString();
    assert.match(body, /^CONTENT_TYPE=text\/x-test$/m);
    assert.match(body, /^CONTENT_LENGTH=3$/m);
    assert.match(body, /^SERVER_PROTOCOL=HTTP\/1\.0$/m);
    assert.match(body, /^HTTP_X_USER=real$/m, 'one X-User, not "real, forged"');
  });

  it("leaves the server's own environment untouched", async () => {
    const before = { ...process.env };
    await get(ctx.port, '/cgi-bin/env.sh/p?q', 'X-Custom: yes\r\nProxy: http://evil.example\r\n');
    assert.deepEqual({ ...process.env }, before);
  });

  it('streams POST bodies to the script, chunked ones de-chunked with CONTENT_LENGTH', async () => {
    const r = await get(ctx.port, '/cgi-bin/echo.py', '', 'posted data');
    assert.equal(r.body, 'posted data');
    assert.deepEqual(r.headers.get('x-length'), ['11']);
    const chunked = await run('sh', [
      '-c',
      `printf 'chunk data' | curl -sS -H 'Transfer-Encoding: chunked' --data-binary @- http://127.0.0.1:${ctx.port}/cgi-bin/echo.py`,
    ]);
    assert.equal(chunked.stdout, 'chunk data');
    const big = 'z'.repeat(3 * 1024 * 1024);
    const large = await get(ctx.port, '/cgi-bin/echo.py', '', big);
    assert.equal(large.body.length, big.length);
  });

  it('Status sets the status; Location redirects the client or, for a local path, is served in place', async () => {
    const teapot = await get(ctx.port, '/cgi-bin/status.sh');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.body, 'short and stout');
    const away = await get(ctx.port, '/cgi-bin/away.sh');
    assert.equal(away.status, 302);
    assert.deepEqual(away.headers.get('location'), ['http://example.com/elsewhere']);
    const local = await get(ctx.port, '/cgi-bin/local.sh');
    assert.equal(local.status, 200);
    assert.equal(local.body, 'static file\n');
  });

  it('a Status with a local Location, or a //host Location, redirects the client; a redirect loop is 502', async () => {
    const withStatus = await get(ctx.port, '/cgi-bin/status302.sh');
    assert.equal(withStatus.status, 302);
    assert.deepEqual(withStatus.headers.get('location'), ['/static.txt']);
    const networkPath = await get(ctx.port, '/cgi-bin/network-path.sh');
    assert.equal(networkPath.status, 302);
    assert.deepEqual(networkPath.headers.get('location'), ['//elsewhere.example/x']);
    assert.equal((await get(ctx.port, '/cgi-bin/loop.sh')).status, 502);
    ctx.server.flushLog();
    assert.ok(ctx.log.some((l) => l.includes('/cgi-bin/loop.sh: more than 5 local redirects')));
  });

  it('a status that is not a final one, or a field that cannot be sent, is 502 with a log line', async () => {
    for (const name of ['status101', 'status000', 'control']) {
      const r = await get(ctx.port, `/cgi-bin/${name}.sh`);
      assert.equal(r.status, 502, name);
    }
    ctx.server.flushLog();
    assert.ok(ctx.log.some((l) => l.includes('/cgi-bin/status101.sh: malformed Status')));
    assert.ok(ctx.log.some((l) => l.includes('/cgi-bin/control.sh: malformed value for X-Bad')));
  });

  it('a body longer than its Content-Length is cut off, the connection closed, and logged in one line', async () => {
    const raw = await exchangeRaw(ctx.port, 'GET /cgi-bin/overlong.sh HTTP/1.1\r\nHost: t\r\n\r\n', {
      untilClose: true,
    });
    assert.ok(raw.closed);
    assert.doesNotMatch(raw.text, /more than three/);
    ctx.server.flushLog();
    // Exactly this reason on every Node version (Node 24's pipeline() rejects with its own text).
    assert.ok(
      ctx.log.some((l) =>
        l.endsWith('/cgi-bin/overlong.sh: response body exceeds its Content-Length by 12 bytes'),
      ),
      ctx.log.join('\n'),
    );
    assert.ok(!ctx.log.some((l) => l.includes('Exception in GET handler')), 'no stack trace');
  });

  it('finds scripts in nested directories', async () => {
    assert.equal((await get(ctx.port, '/cgi-bin/nested/deep.sh/info')).body, 'deep /info');
  });

  it('404 for a missing script, 403 for a directory or a file that is not executable — never its source', async () => {
    assert.equal((await get(ctx.port, '/cgi-bin/missing.sh')).status, 404);
    assert.equal((await get(ctx.port, '/cgi-bin/nested')).status, 403);
    const plain = await get(ctx.port, '/cgi-bin/plain.txt');
    assert.equal(plain.status, 403);
    assert.doesNotMatch(plain.body, /secret source/);
    const dir = await get(ctx.port, '/cgi-bin/');
    assert.equal(dir.status, 403, 'the CGI directory is not listed');
    assert.doesNotMatch(dir.body, /env\.sh/);
  });

  it('the file rules hold for scripts: a dotfile or a symlink out of the directory does not run (404)', async () => {
    const hidden = await get(ctx.port, '/cgi-bin/.hidden.sh');
    assert.equal(hidden.status, 404);
    assert.doesNotMatch(hidden.body, /ran/);
    const link = await get(ctx.port, '/cgi-bin/outside.sh');
    assert.equal(link.status, 404);
    assert.doesNotMatch(link.body, /ran/);
  });

  it('normalises the path before the CGI check: encoded and dotted paths still run the script, never show it', async () => {
    for (const path of [
      '/cgi-bin%2fstatus.sh',
      '///x.py/../cgi-bin/status.sh',
      '/nothing/../cgi-bin/./status.sh',
      '/CGI-BIN/../cgi-bin/status.sh',
    ]) {
      const r = await get(ctx.port, path);
      assert.equal(r.status, 418, path);
      assert.doesNotMatch(r.body, /printf/, path);
    }
    const bare = await exchangeRaw(ctx.port, 'GET cgi-bin/status.sh HTTP/1.1\r\nHost: t\r\n\r\n');
    assert.equal(parseResponses(bare.bytes)[0]!.status, 400, 'a target without its leading slash is refused');
  });

  it('a malformed header block is a 502 with a log line; stderr goes to the log', async () => {
    const broken = await get(ctx.port, '/cgi-bin/broken.sh');
    assert.equal(broken.status, 502);
    assert.equal((await get(ctx.port, '/cgi-bin/noisy.sh')).body, 'ok');
    ctx.server.flushLog();
    assert.ok(ctx.log.some((l) => l.includes('/cgi-bin/broken.sh: malformed header line')));
    assert.ok(ctx.log.some((l) => l.includes('/cgi-bin/noisy.sh: warning from the script')));
    assert.equal((await get(ctx.port, '/cgi-bin/halting.sh')).body, 'ok');
    ctx.server.flushLog();
    assert.ok(
      ctx.log.some((l) => l.endsWith('/cgi-bin/halting.sh: first half, second half')),
      'a stderr line written in two goes is one log line',
    );
  });

  it('a script that runs too long is killed with its process group: 504', async () => {
    const r = await get(ctx.port, '/cgi-bin/slow.sh');
    assert.equal(r.status, 504);
    await assertKilled(Number(readFileSync(join(root, 'child.pid'), 'utf8')), "the script's own child");
  });

  it('a client that leaves kills the script', async () => {
    rmSync(join(root, 'child.pid'), { force: true });
    const socket = net.connect(ctx.port, '127.0.0.1');
    socket.write('GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: t\r\n\r\n');
    while (!existsSync(join(root, 'child.pid')) || readFileSync(join(root, 'child.pid'), 'utf8') === '') {
      await new Promise((res) => setTimeout(res, 20));
    }
    const pid = Number(readFileSync(join(root, 'child.pid'), 'utf8'));
    // A reset: a FIN alone is a half-close, after which a client may still wait for its response (RFC 9112
    // §9.6), so the script would run on until cgiTimeout.
    socket.resetAndDestroy();
    await assertKilled(pid, 'the child of a script whose client left');
  });

  it('POST to a non-CGI path is 501', async () => {
    assert.equal((await get(ctx.port, '/static.txt', '', 'x')).status, 501);
  });
});

describe('CGIHTTPRequestHandler with auth', () => {
  const ctx = serverForSuite(
    CGIHTTPRequestHandler.with({ directory: root, auth: { user: 'ann', password: 'pw' } }),
  );

  it('runs no script for a request without the credentials', async () => {
    for (const body of ['', 'posted']) {
      const denied = await get(ctx.port, '/cgi-bin/status.sh', '', body);
      assert.equal(denied.status, 401);
      assert.doesNotMatch(denied.body, /short and stout/);
    }
    assert.equal((await get(ctx.port, '/cgi-bin/missing.sh')).status, 401, 'nor tells which scripts exist');
    const allowed = await get(ctx.port, '/cgi-bin/status.sh', 'Authorization: Basic YW5uOnB3\r\n');
    assert.equal(allowed.status, 418);
  });
});

describe('git over HTTP through basehttp --cgi', () => {
  const git = join(root, 'git');
  mkdirSync(git);
  const ctx = serverForSuite(
    class extends CGIHTTPRequestHandler.with({ directory: git }) {
      override cgiTimeout = 60_000;
    },
  );

  it('git clone and git push through git http-backend behind a CGI wrapper', async () => {
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: git, GIT_TERMINAL_PROMPT: '0' };
    await run('git', ['init', '-q', '--bare', join(git, 'repos', 'project.git')], { env });
    await run('git', ['-C', join(git, 'repos', 'project.git'), 'config', 'http.receivepack', 'true'], {
      env,
    });
    mkdirSync(join(git, 'cgi-bin'));
    writeFileSync(
      join(git, 'cgi-bin', 'git'),
      `#!/bin/sh\nexport GIT_PROJECT_ROOT="${join(git, 'repos')}"\nexport GIT_HTTP_EXPORT_ALL=1\nexec git http-backend\n`,
    );
    chmodSync(join(git, 'cgi-bin', 'git'), 0o755);
    const url = `http://127.0.0.1:${ctx.port}/cgi-bin/git/project.git`;
    const work = join(git, 'work');
    await run('git', ['clone', '-q', url, work], { env });
    writeFileSync(join(work, 'README'), 'pushed through basehttp\n');
    const as = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com'];
    await run('git', ['-C', work, ...as, 'add', 'README'], { env });
    await run('git', ['-C', work, ...as, 'commit', '-q', '-m', 'first'], { env });
    await run('git', ['-C', work, 'push', '-q', 'origin', 'HEAD'], { env });
    const again = join(git, 'again');
    await run('git', ['clone', '-q', url, again], { env });
    assert.equal(readFileSync(join(again, 'README'), 'utf8'), 'pushed through basehttp\n');
    assert.ok(existsSync(join(again, '.git')));
  });
});

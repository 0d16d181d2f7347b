import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CGIHTTPRequestHandler, SimpleHTTPRequestHandler, type UploadOptions } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { withServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { tempFiles, uploadFixture } from './fixture.js';

const run = promisify(execFile);
const NO_OPTIONS: UploadOptions = { overwrite: false, mkdir: false, maxBytes: null };

/** A file to upload with `curl -T`, holding `text`. */
function source(dir: string, name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('PUT uploads (curl -T)', () => {
  const { root, outside } = uploadFixture();
  const local = join(root, '..');
  const hello = source(local, 'hello.txt', 'hello upload\n');

  it('is 405 with uploads off, with the same Allow as ever', async () => {
    await withServer(SimpleHTTPRequestHandler.with({ directory: root }), {}, async (s) => {
      for (const args of [
        ['-T', hello],
        ['-F', `f=@${hello}`],
      ]) {
        const r = await curl(s.port, '/new.txt', ...args);
        assert.equal(r.status, 405);
        assert.equal(r.fields.get('allow'), 'GET, HEAD');
      }
      assert.equal(existsSync(join(root, 'new.txt')), false);
    });
  });

  it('writes a new file (201, Location), refuses an existing one (409), and Allow lists PUT and POST', async () => {
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        const created = await curl(s.port, '/created.txt', '-T', hello);
        assert.equal(created.status, 201);
        assert.equal(created.fields.get('location'), '/created.txt');
        assert.equal(readFileSync(join(root, 'created.txt'), 'utf8'), 'hello upload\n');
        const again = await curl(s.port, '/created.txt', '-T', source(local, 'other.txt', 'other\n'));
        assert.equal(again.status, 409);
        assert.equal(readFileSync(join(root, 'created.txt'), 'utf8'), 'hello upload\n');
        const del = await curl(s.port, '/created.txt', '-X', 'DELETE');
        assert.equal(del.status, 405);
        assert.equal(del.fields.get('allow'), 'GET, HEAD, POST, PUT');
        assert.deepEqual(tempFiles(root), []);
      },
    );
  });

  it('replaces with overwrite (204), and the next GET serves the new bytes, not the cached old ones', async () => {
    const Handler = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: { ...NO_OPTIONS, overwrite: true },
      fileCacheMs: 60_000,
    });
    await withServer(Handler, {}, async (s) => {
      assert.equal((await curl(s.port, '/old.txt')).body, 'old bytes\n'); // now cached
      const replaced = await curl(s.port, '/old.txt', '-T', source(local, 'new.txt', 'new bytes\n'));
      assert.equal(replaced.status, 204);
      assert.equal((await curl(s.port, '/old.txt')).body, 'new bytes\n');
      assert.equal((await curl(s.port, '/fresh.txt', '-T', hello)).status, 201);
    });
  });

  it('refuses what reading refuses: dotfiles, .., symlinks out, a directory, a bad path', async () => {
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        const status = async (path: string): Promise<number> =>
          (await curl(s.port, path, '--path-as-is', '-T', hello)).status;
        assert.equal(await status('/.env'), 403);
        assert.equal(await status('/.git/config'), 403);
        assert.equal(await status('/sub/../escaped.txt'), 403);
        assert.equal(await status('/sub/%2e%2e/escaped.txt'), 403);
        assert.equal(await status('/out/planted.txt'), 403);
        assert.equal(await status('/sub'), 409); // a directory
        // (`curl -T file URL/` would append the file's name: the raw method and body instead)
        assert.equal((await curl(s.port, '/sub/', '-X', 'PUT', '--data-binary', 'x')).status, 409);
        assert.equal(await status('/bad%ff'), 400);
        assert.equal(existsSync(join(outside, 'planted.txt')), false);
        assert.equal(existsSync(join(root, 'escaped.txt')), false);
        assert.equal(existsSync(join(root, '.env')), false);
      },
    );
  });

  it('a missing parent is 409, created with mkdir', async () => {
    const off = SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS });
    await withServer(off, {}, async (s) => {
      assert.equal((await curl(s.port, '/a/b/c.txt', '-T', hello)).status, 409);
      assert.equal((await curl(s.port, '/old.txt/c.txt', '-T', hello)).status, 409); // a file in the way
    });
    assert.equal(existsSync(join(root, 'a')), false);
    const on = SimpleHTTPRequestHandler.with({ directory: root, upload: { ...NO_OPTIONS, mkdir: true } });
    await withServer(on, {}, async (s) => {
      assert.equal((await curl(s.port, '/a/b/c.txt', '-T', hello)).status, 201);
      assert.equal((await curl(s.port, '/a/.hidden/c.txt', '-T', hello)).status, 403);
    });
    assert.equal(readFileSync(join(root, 'a', 'b', 'c.txt'), 'utf8'), 'hello upload\n');
    assert.equal(existsSync(join(root, 'a', '.hidden')), false);
  });

  it('413 over maxBytes: by Content-Length before the body is sent, else mid-stream; nothing is left', async () => {
    const big = source(local, 'big.bin', Buffer.alloc(300_000, 7));
    const Handler = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: { ...NO_OPTIONS, maxBytes: 100_000 },
    });
    await withServer(Handler, {}, async (s) => {
      // curl waits for 100 Continue before a body this size: the 413 comes first and no body is sent.
      const known = await curl(
        s.port,
        '/big.bin',
        '-T',
        big,
        '-H',
        'Expect: 100-continue',
        '-w',
        '%{size_upload}',
      );
      assert.equal(known.status, 413);
      assert.match(known.body, /0$/);
      const chunked = await curl(s.port, '/big2.bin', '-T', big, '-H', 'Transfer-Encoding: chunked');
      assert.equal(chunked.status, 413);
      assert.equal((await curl(s.port, '/small.bin', '-T', hello)).status, 201);
    });
    assert.equal(existsSync(join(root, 'big.bin')), false);
    assert.equal(existsSync(join(root, 'big2.bin')), false);
    assert.deepEqual(tempFiles(root), []);
  });

  it('with Expect: 100-continue, a PUT to be refused (409, 403) is refused before the body is sent', async () => {
    const big = source(local, 'big-expect.bin', Buffer.alloc(300_000, 1));
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        for (const [path, code] of [
          ['/old.txt', 409],
          ['/.env', 403],
        ] as const) {
          const r = await curl(s.port, path, '-T', big, '-H', 'Expect: 100-continue', '-w', '%{size_upload}');
          assert.equal(r.status, code);
          assert.match(r.body, /\D0$/);
        }
      },
    );
  });

  it('auth for writes only: reading is open, a PUT without credentials is 401', async () => {
    const Handler = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: NO_OPTIONS,
      auth: { user: 'ann', password: 's3cret' },
      authWritesOnly: true,
    });
    await withServer(Handler, {}, async (s) => {
      assert.equal((await curl(s.port, '/old.txt')).status, 200);
      const refused = await curl(s.port, '/authed.txt', '-T', hello);
      assert.equal(refused.status, 401);
      assert.match(refused.fields.get('www-authenticate') ?? '', /^Basic/);
      assert.equal((await curl(s.port, '/authed.txt', '-T', hello, '-u', 'ann:wrong')).status, 401);
      assert.equal((await curl(s.port, '/authed.txt', '-T', hello, '-u', 'ann:s3cret')).status, 201);
    });
    const everything = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: NO_OPTIONS,
      auth: { user: 'ann', password: 's3cret' },
    });
    await withServer(everything, {}, async (s) => {
      assert.equal((await curl(s.port, '/old.txt')).status, 401);
      assert.equal((await curl(s.port, '/authed2.txt', '-T', hello)).status, 401);
    });
  });

  it('never writes into a CGI directory, by its URL or through a symlink', async () => {
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(root, 'cgi-bin'), join(root, 'scripts'));
    const Handler = CGIHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS });
    await withServer(Handler, {}, async (s) => {
      assert.equal((await curl(s.port, '/cgi-bin/evil.py', '-T', hello)).status, 403);
      assert.equal((await curl(s.port, '/htbin/evil.py', '-T', hello)).status, 403);
      assert.equal((await curl(s.port, '/scripts/evil.py', '-T', hello)).status, 403);
      assert.equal((await curl(s.port, '/not-cgi.txt', '-T', hello)).status, 201);
    });
    assert.equal(existsSync(join(root, 'cgi-bin', 'evil.py')), false);
  });

  it("Python's http.client PUT", async () => {
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        const script = [
          'import http.client, sys',
          'c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))',
          'c.request("PUT", "/from-python.bin", body=bytes(range(256)) * 1000)',
          'r = c.getresponse(); r.read()',
          'c.request("PUT", "/from-python.bin", body=b"again")',
          'r2 = c.getresponse(); r2.read()',
          'print(r.status, r.getheader("Location"), r2.status)',
        ].join('\n');
        const { stdout } = await run('python3', ['-c', script, String(s.port)]);
        assert.equal(stdout.trim(), '201 /from-python.bin 409');
      },
    );
    const written = readFileSync(join(root, 'from-python.bin'));
    assert.equal(written.length, 256_000);
    assert.equal(written[255], 255);
  });

  it('an aborted upload (the client leaves mid-body) leaves no file and no temporary file', async () => {
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        const socket = net.connect(s.port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write('PUT /aborted.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
        socket.write(Buffer.alloc(100_000));
        await eventually(() => tempFiles(root).length === 1, 'the upload began');
        socket.destroy();
        await eventually(() => tempFiles(root).length === 0, 'its temporary file went');
        assert.equal(existsSync(join(root, 'aborted.bin')), false);
      },
    );
  });

  it('two PUTs racing for one new name: exactly one 201, the other 409', async () => {
    const bodies = [0, 1, 2, 3].map((n) => source(local, `racer${n}.bin`, Buffer.alloc(2_000_000, 65 + n)));
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS }),
      {},
      async (s) => {
        const results = await Promise.all(bodies.map((body) => curl(s.port, '/raced.bin', '-T', body)));
        assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
      },
    );
    const written = readFileSync(join(root, 'raced.bin'));
    assert.equal(written.length, 2_000_000);
    assert.ok(written.every((b) => b === written[0]));
    assert.deepEqual(tempFiles(root), []);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { SimpleHTTPRequestHandler, type StaticOptions } from '../../src/index.js';
import { exchangeRaw, parseResponses, serverForSuite, withServer } from '../helpers/server.js';
import { BIG_TEXT, LARGE_BYTES, TRICKY_NAMES, makeFixture } from './fixture.js';

const run = promisify(execFile);
const { root } = makeFixture();
const Handler = (options: Partial<StaticOptions> = {}): typeof SimpleHTTPRequestHandler =>
  SimpleHTTPRequestHandler.with({ directory: root, ...options });

/** curl -s -i with the given arguments; the response head and body, split. */
async function curl(
  port: number,
  path: string,
  ...args: string[]
): Promise<{ status: number; head: string; body: Buffer }> {
  const { stdout } = await run('curl', ['-sS', '-i', ...args, `http://127.0.0.1:${port}${path}`], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = stdout.toString('latin1');
  // Skip interim responses; the last head is the final one.
  let start = 0;
  for (;;) {
    const end = text.indexOf('\r\n\r\n', start);
    const head = text.slice(start, end);
    if (/^HTTP\/1\.1 1\d\d/.test(head)) {
      start = end + 4;
      continue;
    }
    return { status: Number(head.slice(9, 12)), head, body: stdout.subarray(end + 4) };
  }
}

const header = (head: string, name: string): string | undefined =>
  new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim();

describe('SimpleHTTPRequestHandler', () => {
  const ctx = serverForSuite(Handler());

  it('serves a file with type, length, validators and Accept-Ranges', async () => {
    const r = await curl(ctx.port, '/hello.txt');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello world\n');
    assert.equal(header(r.head, 'Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(header(r.head, 'Content-Length'), '12');
    assert.equal(header(r.head, 'Accept-Ranges'), 'bytes');
    assert.match(header(r.head, 'ETag')!, /^"[0-9a-f]+-c"$/);
    assert.equal(
      header(r.head, 'Last-Modified'),
      new Date(Math.floor(statSync(`${root}/hello.txt`).mtimeMs / 1000) * 1000).toUTCString(),
    );
  });

  it('guesses types from the MIME database, with modern answers for JS and wasm', async () => {
    const types: Array<[string, string]> = [
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/module.wasm', 'application/wasm'],
      ['/logo.png', 'image/png'],
      ['/unknown.zzz', 'application/octet-stream'],
      ['/sub/index.html', 'text/html; charset=utf-8'],
    ];
    for (const [path, type] of types)
      assert.equal(header((await curl(ctx.port, path, '-I')).head, 'Content-Type'), type, path);
  });

  it('HEAD sends the same head and no body', async () => {
    const r = await exchangeRaw(
      ctx.port,
      'HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const [head, get] = parseResponses(r.bytes, new Set([0]));
    assert.deepEqual(head!.headers.get('content-length'), ['12']);
    assert.equal(get!.body.toString(), 'hello world\n');
  });

  it('redirects a directory without its slash, keeping the query, never to //host', async () => {
    const r = await curl(ctx.port, '/docs?x=1');
    assert.equal(r.status, 301);
    assert.equal(header(r.head, 'Location'), '/docs/?x=1');
    // As Python, the slash is judged on the path as sent, so the listing's relative links work.
    const encoded = await curl(ctx.port, '/docs%2f');
    assert.equal(encoded.status, 301);
    assert.equal(header(encoded.head, 'Location'), '/docs%2f/');
    const location = async (target: string): Promise<string | undefined> => {
      const raw = await exchangeRaw(ctx.port, `GET ${target} HTTP/1.1\r\nHost: t\r\n\r\n`, { responses: 1 });
      const [res] = parseResponses(raw.bytes);
      assert.equal(res!.status, 301, target);
      return res!.headers.get('location')![0];
    };
    // The fixture has both `evil.example` and `\evil.example` directories, so every one of these redirects.
    assert.equal(await location('//evil.example'), '/evil.example/');
    assert.equal(await location('///evil.example?q=1'), '/evil.example/?q=1');
    assert.equal(await location('/\\evil.example'), '/%5Cevil.example/', 'browsers read `/\\` as `//`');
    assert.equal(await location('//\\evil.example'), '/%5Cevil.example/');
    assert.equal(await location('/%5cevil.example'), '/%5cevil.example/');
    assert.equal(await location('//evil.example/%2e%2e/evil.example'), '/evil.example/%2e%2e/evil.example/');
  });

  it('serves index.html for a directory, else a listing', async () => {
    assert.match((await curl(ctx.port, '/sub/')).body.toString(), /sub index/);
    const docs = await curl(ctx.port, '/docs/');
    assert.equal(docs.status, 200);
    assert.match(docs.body.toString(), /Directory listing for \/docs\//);
    assert.match(docs.body.toString(), /href="readme\.md"/);
    assert.match(docs.body.toString(), /href="\.\.\/"/);
  });

  it('answers 404 to a file asked for with a trailing slash, encoded or not', async () => {
    assert.equal((await curl(ctx.port, '/hello.txt/')).status, 404);
    assert.equal((await curl(ctx.port, '/hello.txt%2f')).status, 404);
  });

  it('keeps the connection after a 404 or 412, as nginx does; a refused request still closes it', async () => {
    const pipelined =
      'GET /missing.ico HTTP/1.1\r\nHost: t\r\n\r\n' +
      'GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Match: "nope"\r\n\r\n' +
      'GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n';
    const kept = await exchangeRaw(ctx.port, pipelined);
    const responses = parseResponses(kept.bytes);
    assert.deepEqual(
      responses.map((r) => r.status),
      [404, 412, 200],
    );
    assert.equal(responses[0]!.headers.get('connection'), undefined);
    assert.equal(responses[2]!.body.toString(), 'hello world\n');
    assert.equal(kept.closed, false);
    const refused = await exchangeRaw(ctx.port, 'GET /hello.txt HTTP/1.1\r\n\r\n', { responses: 1 }); // no Host
    assert.match(refused.text, /^HTTP\/1\.1 400 [^]*\r\nConnection: close\r\n/);
    assert.equal(refused.closed, true);
  });

  it('never serves a file outside the directory', async () => {
    for (const path of [
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/..%2foutside.txt',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..%5coutside.txt',
      '/..\\outside.txt',
      '/sub/../../outside.txt',
      '/outside-link.txt',
    ]) {
      const raw = await exchangeRaw(ctx.port, `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`, { responses: 1 });
      const [res] = parseResponses(raw.bytes);
      assert.equal(res!.status, 404, path);
      assert.doesNotMatch(res!.body.toString(), /secret outside|root:/, path);
    }
    const nul = parseResponses(
      (await exchangeRaw(ctx.port, 'GET /hello.txt%00.png HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 }))
        .bytes,
    )[0]!;
    assert.equal(nul.status, 400);
    assert.equal(
      (await curl(ctx.port, '/inside-link.txt')).body.toString(),
      'hello world\n',
      'links inside are fine',
    );
  });

  it('hides dotfiles (also through a symlink) but serves .well-known', async () => {
    for (const path of ['/.env', '/.git/config', '/.git/', '/env-link.txt', '/%2eenv']) {
      assert.equal((await curl(ctx.port, path)).status, 404, path);
    }
    assert.equal((await curl(ctx.port, '/.well-known/security.txt')).status, 200);
    const listing = (await curl(ctx.port, '/')).body.toString();
    assert.doesNotMatch(listing, /\.env|\.git/);
    assert.match(listing, /\.well-known/);
  });

  it('lists names escaped, hrefs encoded and sorted case-insensitively; every link resolves', async () => {
    const html = (await curl(ctx.port, '/')).body.toString();
    assert.doesNotMatch(html, /<tag>/, 'names are escaped');
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) =>
      m[1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    );
    const json = JSON.parse((await curl(ctx.port, '/?format=json')).body.toString()) as Array<{
      name: string;
      type: string;
    }>;
    const names = json.map((e) => e.name);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );
    for (const name of TRICKY_NAMES) {
      assert.ok(names.includes(name), name);
      const href = hrefs.find((h) => decodeURIComponent(h) === name);
      assert.ok(href !== undefined, `a link for ${name}`);
      const r = await curl(ctx.port, `/${href}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.body.toString(), `content of ${name}\n`);
    }
    assert.equal(json.find((e) => e.name === 'docs')?.type, 'directory');
    assert.match(html, /href="docs\/">docs\/</);
  });

  it('answers 405 with Allow to other methods', async () => {
    const r = await curl(ctx.port, '/hello.txt', '-X', 'POST', '-d', 'x');
    assert.equal(r.status, 405);
    assert.equal(header(r.head, 'Allow'), 'GET, HEAD');
    assert.equal((await curl(ctx.port, '/hello.txt', '-X', 'DELETE')).status, 405);
  });

  it('conditional requests: If-None-Match over If-Modified-Since, If-Match and If-Unmodified-Since', async () => {
    const first = await curl(ctx.port, '/hello.txt');
    const etag = header(first.head, 'ETag')!;
    const lastModified = header(first.head, 'Last-Modified')!;
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', `If-None-Match: ${etag}`)).status, 304);
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', `If-None-Match: "nope", W/${etag}`)).status, 304);
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', 'If-None-Match: *')).status, 304);
    assert.equal(
      (await curl(ctx.port, '/hello.txt', '-H', `If-Modified-Since: ${lastModified}`)).status,
      304,
    );
    assert.equal(
      (
        await curl(
          ctx.port,
          '/hello.txt',
          '-H',
          'If-None-Match: "other"',
          '-H',
          `If-Modified-Since: ${lastModified}`,
        )
      ).status,
      200,
      'If-None-Match takes precedence',
    );
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', 'If-Modified-Since: not a date')).status, 200);
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', 'If-Match: "other"')).status, 412);
    assert.equal((await curl(ctx.port, '/hello.txt', '-H', `If-Match: ${etag}`)).status, 200);
    assert.equal(
      (await curl(ctx.port, '/hello.txt', '-H', 'If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT')).status,
      412,
    );
    const notModified = await curl(ctx.port, '/hello.txt', '-H', `If-None-Match: ${etag}`);
    assert.equal(header(notModified.head, 'ETag'), etag);
    assert.equal(notModified.body.length, 0);
  });

  it('ranges: single, open, suffix, multipart, unsatisfiable, and If-Range', async () => {
    const one = await curl(ctx.port, '/hello.txt', '-r', '0-4');
    assert.equal(one.status, 206);
    assert.equal(one.body.toString(), 'hello');
    assert.equal(header(one.head, 'Content-Range'), 'bytes 0-4/12');
    assert.equal((await curl(ctx.port, '/hello.txt', '-r', '6-')).body.toString(), 'world\n');
    assert.equal((await curl(ctx.port, '/hello.txt', '-r', '-6')).body.toString(), 'world\n');
    const multi = await curl(ctx.port, '/hello.txt', '-r', '0-1,6-7');
    assert.equal(multi.status, 206);
    const boundary = /boundary=(\S+)/.exec(header(multi.head, 'Content-Type')!)![1]!;
    assert.equal(Number(header(multi.head, 'Content-Length')), multi.body.length);
    const parts = multi.body.toString().split(`--${boundary}`);
    assert.match(parts[1]!, /Content-Range: bytes 0-1\/12\r\n\r\nhe\r\n$/);
    assert.match(parts[2]!, /Content-Range: bytes 6-7\/12\r\n\r\nwo\r\n$/);
    assert.equal(parts[3], '--\r\n');
    const merged = await curl(ctx.port, '/hello.txt', '-r', '0-3,2-5');
    assert.equal(header(merged.head, 'Content-Range'), 'bytes 0-5/12', 'overlapping ranges are merged');
    for (const unsatisfiable of ['100-200', '12-', '100-', '-0', '12-12,20-']) {
      const bad = await curl(ctx.port, '/hello.txt', '-r', unsatisfiable);
      assert.equal(bad.status, 416, unsatisfiable);
      assert.equal(header(bad.head, 'Content-Range'), 'bytes */12', unsatisfiable);
      assert.equal(bad.body.length, 0);
    }
    const past = await curl(ctx.port, '/hello.txt', '-r', '6-100');
    assert.equal(header(past.head, 'Content-Range'), 'bytes 6-11/12', 'a last byte past the end is clamped');
    assert.equal(
      (await curl(ctx.port, '/hello.txt', '-r', '5-2')).status,
      200,
      'an invalid range is ignored',
    );
    const many = Array.from({ length: 40 }, (_, i) => `${i * 3}-${i * 3}`).join(',');
    assert.equal(
      (await curl(ctx.port, '/big.txt', '-r', many)).status,
      200,
      'too many ranges: the whole file',
    );
    const etag = header(one.head, 'ETag')!;
    assert.equal((await curl(ctx.port, '/hello.txt', '-r', '0-4', '-H', `If-Range: ${etag}`)).status, 206);
    const stale = await curl(ctx.port, '/hello.txt', '-r', '0-4', '-H', 'If-Range: "stale"');
    assert.equal(stale.status, 200);
    assert.equal(stale.body.toString(), 'hello world\n');
    const weak = await curl(ctx.port, '/hello.txt', '-r', '0-4', '-H', `If-Range: W/${etag}`);
    assert.equal(weak.status, 200, 'a weak tag never matches in If-Range (RFC 9110 §13.1.5)');
    const lastModified = header(one.head, 'Last-Modified')!;
    assert.equal(
      (await curl(ctx.port, '/hello.txt', '-r', '0-4', '-H', `If-Range: ${lastModified}`)).status,
      206,
    );
    const older = await curl(
      ctx.port,
      '/hello.txt',
      '-r',
      '0-4',
      '-H',
      'If-Range: Sat, 01 Jan 2000 00:00:00 GMT',
    );
    assert.equal(older.status, 200);
  });

  it('multipart/byteranges over a file streamed from disk: every part parses back to its bytes', async () => {
    const size = LARGE_BYTES;
    const spec = '0-99,1048576-1049599,-10';
    const r = await curl(ctx.port, '/large.bin', '-r', spec);
    assert.equal(r.status, 206);
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(header(r.head, 'Content-Type')!)![1]!;
    assert.equal(Number(header(r.head, 'Content-Length')), r.body.length);
    const expected = [
      [0, 99],
      [1048576, 1049599],
      [size - 10, size - 1],
    ];
    let pos = 0;
    for (const [start, end] of expected) {
      const delimiter = `${pos === 0 ? '' : '\r\n'}--${boundary}\r\n`;
      assert.equal(r.body.subarray(pos, pos + delimiter.length).toString('latin1'), delimiter);
      pos += delimiter.length;
      const headEnd = r.body.indexOf('\r\n\r\n', pos);
      const partHead = r.body.subarray(pos, headEnd).toString('latin1');
      assert.match(partHead, /^Content-Type: application\/octet-stream\r\n/);
      assert.match(partHead, new RegExp(`Content-Range: bytes ${start}-${end}/${size}$`));
      pos = headEnd + 4;
      const bytes = r.body.subarray(pos, pos + end! - start! + 1);
      assert.equal(bytes.length, end! - start! + 1);
      assert.ok(
        bytes.every((b) => b === 0),
        'the sparse file reads as zeros',
      );
      pos += bytes.length;
    }
    assert.equal(r.body.subarray(pos).toString('latin1'), `\r\n--${boundary}--\r\n`);
  });

  it('compresses text with brotli or gzip as negotiated, never ranges or images', async () => {
    const br = await curl(ctx.port, '/big.txt', '-H', 'Accept-Encoding: gzip;q=0.5, br');
    assert.equal(header(br.head, 'Content-Encoding'), 'br');
    assert.equal(header(br.head, 'Vary'), 'Accept-Encoding');
    assert.equal(zlib.brotliDecompressSync(br.body).toString(), BIG_TEXT);
    const gz = await curl(ctx.port, '/big.txt', '-H', 'Accept-Encoding: gzip, br;q=0');
    assert.equal(header(gz.head, 'Content-Encoding'), 'gzip');
    assert.equal(zlib.gunzipSync(gz.body).toString(), BIG_TEXT);
    const viaCurl = await curl(ctx.port, '/big.txt', '--compressed');
    assert.equal(viaCurl.body.toString(), BIG_TEXT);
    assert.notEqual(header(gz.head, 'ETag'), header((await curl(ctx.port, '/big.txt')).head, 'ETag'));
    const ranged = await curl(ctx.port, '/big.txt', '-H', 'Accept-Encoding: br', '-r', '0-9');
    assert.equal(header(ranged.head, 'Content-Encoding'), undefined);
    assert.equal(ranged.body.length, 10);
    const png = await curl(ctx.port, '/logo.png', '-H', 'Accept-Encoding: br, gzip');
    assert.equal(header(png.head, 'Content-Encoding'), undefined);
    const small = await curl(ctx.port, '/hello.txt', '-H', 'Accept-Encoding: br');
    assert.equal(header(small.head, 'Content-Encoding'), undefined, 'tiny files are sent as they are');
  });

  it('uses a .gz sibling for gzip-only clients, and ignores a sibling older than its file', async () => {
    const { utimesSync } = await import('node:fs');
    writeFileSync(`${root}/style.css`, 'body { color: red; }\n'.repeat(100));
    writeFileSync(`${root}/style.css.gz`, zlib.gzipSync('body { color: red; }\n'.repeat(100)));
    const gz = await curl(ctx.port, '/style.css', '-H', 'Accept-Encoding: gzip');
    assert.equal(header(gz.head, 'Content-Encoding'), 'gzip');
    assert.equal(Number(header(gz.head, 'Content-Length')), statSync(`${root}/style.css.gz`).size);
    writeFileSync(`${root}/stale.css`, 'fresh content\n'.repeat(100));
    writeFileSync(`${root}/stale.css.gz`, zlib.gzipSync('STALE\n'));
    utimesSync(`${root}/stale.css.gz`, new Date(0), new Date(0));
    const fresh = await curl(ctx.port, '/stale.css', '-H', 'Accept-Encoding: gzip');
    assert.equal(
      zlib.gunzipSync(fresh.body).toString(),
      'fresh content\n'.repeat(100),
      'compressed on the fly instead',
    );
  });

  it('ignores a precompressed sibling that is a symlink (it could lead out of the directory)', async () => {
    const { symlinkSync } = await import('node:fs');
    const css = 'p { margin: 0; }\n'.repeat(100);
    writeFileSync(`${root}/linked.css`, css);
    writeFileSync(`${root}/../outside.css.gz`, zlib.gzipSync('secret outside the root\n'));
    symlinkSync(`${root}/../outside.css.gz`, `${root}/linked.css.gz`);
    const r = await curl(ctx.port, '/linked.css', '-H', 'Accept-Encoding: gzip');
    assert.equal(header(r.head, 'Content-Encoding'), 'gzip');
    assert.equal(zlib.gunzipSync(r.body).toString(), css, 'compressed on the fly from the file itself');
  });

  it('serves a fresh precompressed sibling with its length', async () => {
    const r = await curl(ctx.port, '/app.js', '-H', 'Accept-Encoding: br');
    assert.equal(header(r.head, 'Content-Encoding'), 'br');
    assert.equal(Number(header(r.head, 'Content-Length')), statSync(`${root}/app.js.br`).size);
    assert.equal(zlib.brotliDecompressSync(r.body).toString(), readFileSync(`${root}/app.js`, 'utf8'));
  });

  it('streams a 50 MB file whole, and a client that leaves mid-download releases the file at once', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download} %{http_code}',
      `http://127.0.0.1:${ctx.port}/large.bin`,
    ]);
    assert.equal(stdout, `${LARGE_BYTES} 200`);
    // Descriptors of this process open on large.bin (the server runs in the test's process).
    const fds = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).endsWith('/large.bin');
        } catch {
          return false; // closed while we looked
        }
      }).length;
    // The file closes once its last read completes, which may be just after curl has every byte.
    const released = async (): Promise<number> => {
      for (let i = 0; i < 100 && fds() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      return fds();
    };
    assert.equal(await released(), 0, 'the file is closed after a whole download');
    const socket = net.connect(ctx.port, '127.0.0.1');
    socket.write('GET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise((r) => socket.once('data', r));
    socket.pause();
    assert.equal(fds(), 1, 'the file is open while downloading');
    socket.destroy();
    assert.equal(await released(), 0, 'the file descriptor is released');
  });
});

describe('file cache', () => {
  it('serves a changed file, or the new target of a symlink, once the cached copy is revalidated (within a second)', async () => {
    await withServer(Handler(), {}, async (s) => {
      const { writeFileSync, utimesSync, symlinkSync, renameSync } = await import('node:fs');
      writeFileSync(`${root}/changing.txt`, 'version one\n');
      symlinkSync(`${root}/hello.txt`, `${root}/moving-link.txt`);
      assert.equal((await curl(s.port, '/changing.txt')).body.toString(), 'version one\n');
      assert.equal((await curl(s.port, '/moving-link.txt')).body.toString(), 'hello world\n');
      writeFileSync(`${root}/changing.txt`, 'version two\n'); // same size: only mtime tells
      utimesSync(`${root}/changing.txt`, new Date(), new Date(Date.now() + 5000));
      // The link now leads out of the directory; its old target is unchanged, so only the link tells.
      symlinkSync(`${root}/../outside.txt`, `${root}/moving-link.tmp`);
      renameSync(`${root}/moving-link.tmp`, `${root}/moving-link.txt`);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await curl(s.port, '/changing.txt')).body.toString(), 'version two\n');
      assert.equal((await curl(s.port, '/moving-link.txt')).status, 404);
    });
  });

  it('serves a deleted file for up to fileCacheMs (the documented trade-off); fileCacheMs: 0 answers 404 at once', async () => {
    const { unlinkSync } = await import('node:fs');
    for (const [options, afterDelete] of [
      [{}, 200],
      [{ fileCacheMs: 0 }, 404],
    ] as const) {
      writeFileSync(`${root}/short-lived.txt`, 'here\n');
      await withServer(Handler(options), {}, async (s) => {
        assert.equal((await curl(s.port, '/short-lived.txt')).status, 200);
        unlinkSync(`${root}/short-lived.txt`);
        assert.equal((await curl(s.port, '/short-lived.txt')).status, afterDelete);
      });
    }
    assert.throws(() => Handler({ fileCacheMs: -1 }), { name: 'InvalidServerOptionError' });
    assert.throws(() => Handler({ fileCacheMs: Number.NaN }), { code: 'BH_ERR_INVALID_SERVER_OPTION' });
  });

  it('stays within its bounds', async () => {
    const { FileCache } = await import('../../src/handlers/static/file-cache.js');
    const { statSync: stat } = await import('node:fs');
    const cache = new FileCache({ maxEntries: 3, maxBytes: 40, maxFileBytes: 32 });
    for (const name of ['hello.txt', 'logo.png', 'big.txt', 'unknown.zzz', 'Upper.txt']) {
      await cache.put(name, `${root}/${name}`, stat(`${root}/${name}`));
    }
    assert.equal(await cache.get('hello.txt'), undefined, 'the oldest entries went first');
    const big = await cache.get('big.txt');
    assert.ok(big !== undefined);
    assert.equal(big.data, null, 'files over the per-file bound are not held');
    assert.equal((await cache.get('Upper.txt'))?.data?.toString(), 'content of Upper.txt\n');
  });
});

describe('SimpleHTTPRequestHandler options', () => {
  it('listing: false answers 404 for a directory without an index', async () => {
    await withServer(Handler({ listing: false }), {}, async (s) => {
      assert.equal((await curl(s.port, '/docs/')).status, 404);
      assert.equal((await curl(s.port, '/sub/')).status, 200);
    });
  });

  it('dotfiles and followSymlinks open what is closed by default', async () => {
    await withServer(Handler({ dotfiles: true, followSymlinks: true }), {}, async (s) => {
      assert.equal((await curl(s.port, '/.env')).body.toString(), 'PASSWORD=hunter2\n');
      assert.equal((await curl(s.port, '/outside-link.txt')).body.toString(), 'secret outside the root\n');
    });
  });

  it('cors: the header on every response and a preflight answer', async () => {
    await withServer(Handler({ cors: true }), {}, async (s) => {
      assert.equal(header((await curl(s.port, '/hello.txt')).head, 'Access-Control-Allow-Origin'), '*');
      assert.equal(header((await curl(s.port, '/missing')).head, 'Access-Control-Allow-Origin'), '*');
      const pre = await curl(
        s.port,
        '/hello.txt',
        '-X',
        'OPTIONS',
        '-H',
        'Origin: http://a.example',
        '-H',
        'Access-Control-Request-Headers: x-token',
      );
      assert.equal(pre.status, 204);
      assert.equal(header(pre.head, 'Access-Control-Allow-Headers'), 'x-token');
      assert.equal(header(pre.head, 'Allow'), 'GET, HEAD, OPTIONS');
      // A cross-origin range reader (pdf.js, a video player) must be able to read these.
      const ranged = await curl(s.port, '/hello.txt', '-r', '0-1', '-H', 'Origin: http://a.example');
      assert.equal(
        header(ranged.head, 'Access-Control-Expose-Headers'),
        'Accept-Ranges, Content-Encoding, Content-Range, ETag',
      );
      const post = await curl(s.port, '/hello.txt', '-X', 'POST', '-d', 'x');
      assert.equal(post.status, 405);
      assert.equal(header(post.head, 'Allow'), 'GET, HEAD, OPTIONS');
    });
  });

  it('headers, cache and spa fallback', async () => {
    await withServer(
      Handler({ headers: [['X-Frame-Options', 'DENY']], cacheSeconds: 60, spa: 'sub/index.html' }),
      {},
      async (s) => {
        const r = await curl(s.port, '/hello.txt');
        assert.equal(header(r.head, 'X-Frame-Options'), 'DENY');
        assert.equal(header(r.head, 'Cache-Control'), 'max-age=60');
        const app = await curl(s.port, '/some/client/route', '-H', 'Accept: text/html');
        assert.equal(app.status, 200);
        assert.match(app.body.toString(), /sub index/);
        assert.equal(header(app.head, 'Cache-Control'), 'max-age=60');
        const fetched = await curl(s.port, '/some/client/route', '-H', 'Accept: */*');
        assert.match(fetched.body.toString(), /sub index/, 'a fetch of a route without an extension');
        assert.equal((await curl(s.port, '/missing.js', '-H', 'Accept: application/javascript')).status, 404);
        // How browsers ask for scripts and images: a missing one must not turn into HTML.
        assert.equal((await curl(s.port, '/missing.js', '-H', 'Accept: */*')).status, 404);
        assert.equal((await curl(s.port, '/gone.png', '-H', 'Accept: image/webp,*/*;q=0.8')).status, 404);
        assert.equal((await curl(s.port, '/nothing', '-H', 'Accept: application/json')).status, 404);
        // A weight of 0 refuses what it names: HTML refused is no navigation, even with */* beside it.
        const notHtml = await curl(s.port, '/route.v2', '-H', 'Accept: text/html;q=0, */*');
        assert.equal(notHtml.status, 404);
        assert.equal((await curl(s.port, '/route', '-H', 'Accept: text/html;q=0, */*;q=0')).status, 404);
        // Cache-Control on successes and redirects only: a cached 404 would hide a file added later.
        assert.equal(header((await curl(s.port, '/docs')).head, 'Cache-Control'), 'max-age=60');
        const missing = await curl(s.port, '/missing.js');
        assert.equal(missing.status, 404);
        assert.equal(header(missing.head, 'Cache-Control'), undefined);
        assert.equal(header(missing.head, 'X-Frame-Options'), 'DENY', '-H headers go on errors too');
      },
    );
  });

  it('headers that could not be sent are refused when the class is bound, not on every response', () => {
    assert.throws(() => Handler({ headers: [['X-A', '1\r\nSet-Cookie: evil=1']] }), {
      name: 'HeaderValueError',
    });
    assert.throws(() => Handler({ headers: [['Bad Name', 'x']] }), { name: 'HeaderValueError' });
  });

  it('auth: 401 with a challenge, then 200 with the right credentials', async () => {
    await withServer(Handler({ auth: { user: 'ann', password: 's3cret' } }), {}, async (s) => {
      const denied = await curl(s.port, '/hello.txt');
      assert.equal(denied.status, 401);
      assert.match(header(denied.head, 'WWW-Authenticate')!, /^Basic realm=/);
      assert.equal((await curl(s.port, '/hello.txt', '-u', 'ann:wrong')).status, 401);
      assert.equal((await curl(s.port, '/hello.txt', '-u', 'ann:s3cret')).status, 200);
    });
  });

  it('quiet: no access log, errors still logged', async () => {
    await withServer(Handler({ quiet: true }), {}, async (s) => {
      await curl(s.port, '/hello.txt');
      await curl(s.port, '/missing.txt');
      s.server.flushLog();
      assert.ok(!s.log.some((l) => l.includes('"GET')), s.log.join('\n'));
      assert.ok(s.log.some((l) => l.includes('code 404, message File not found')));
    });
  });

  it('log formats: common, combined, json', async () => {
    for (const logFormat of ['common', 'combined', 'json'] as const) {
      await withServer(Handler({ logFormat }), {}, async (s) => {
        await curl(s.port, '/hello.txt', '-A', 'test-agent', '-e', 'http://ref.example/');
        s.server.flushLog();
        await curl(s.port, '/missing.txt');
        s.server.flushLog();
        const line = s.log.find((l) => l.includes('hello.txt'))!;
        if (logFormat === 'json') {
          const entries = s.log.map((l) => JSON.parse(l) as Record<string, unknown>); // every line is JSON
          assert.ok(
            entries.some(
              (e) => e['level'] === 'error' && e['message'] === 'code 404, message File not found',
            ),
          );
          assert.ok(entries.some((e) => e['path'] === '/missing.txt' && e['status'] === 404));
          const entry = JSON.parse(line) as Record<string, unknown>;
          assert.equal(entry['status'], 200);
          assert.equal(entry['bytes'], 12);
          assert.equal(entry['userAgent'], 'test-agent');
        } else {
          assert.match(
            line,
            /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/hello\.txt HTTP\/1\.1" 200 12/,
          );
          if (logFormat === 'combined') assert.match(line, /"http:\/\/ref\.example\/" "test-agent"$/);
        }
      });
    }
  });
});

describe('real clients against a directory', () => {
  it('wget -r mirrors the listing: every link resolves and the files match', async () => {
    await withServer(Handler(), {}, async (s) => {
      const { mkdtempSync } = await import('node:fs');
      const out = mkdtempSync(`${root}/../mirror-`);
      await run('wget', [
        '-q',
        '-r',
        '-np',
        '-nH',
        '-R',
        'large.bin',
        '--restrict-file-names=nocontrol',
        '-P',
        out,
        `http://127.0.0.1:${s.port}/`,
      ]).catch((err: { code?: number }) => {
        if (err.code !== 0) throw new Error(`wget failed with ${err.code}: a link did not resolve`);
      });
      // wget exited 0, so every link answered 2xx. It names its local copy of `per%cent.txt` by decoding the
      // name twice (its own quirk), so that one file is checked over HTTP in the listing test, not on disk here.
      for (const name of TRICKY_NAMES.filter((n) => !n.includes('%'))) {
        assert.equal(readFileSync(`${out}/${name}`, 'utf8'), `content of ${name}\n`, name);
      }
      assert.equal(readFileSync(`${out}/docs/readme.md`, 'utf8'), '# docs\n');
      assert.throws(() => statSync(`${out}/.env`), 'no dotfile is reachable');
    });
  });
});

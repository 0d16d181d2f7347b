import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { CGIHTTPRequestHandler, SimpleHTTPRequestHandler } from '../../src/index.js';
import type { StaticOptions } from '../../src/handlers/static/options.js';
import { curl } from '../helpers/curl.js';
import { withServer } from '../helpers/server.js';

const run = promisify(execFile);

/** A custom 404 page over 1 KiB, so that it is worth compressing as other HTML is. */
const PAGE = `<!doctype html><title>Lost</title><h1>Nothing here</h1>${'<p>Try the home page.</p>\n'.repeat(60)}`;

/** A served directory with a 404.html at its root (unless `page` is null) and an app shell. */
function site(page: string | null = PAGE): string {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-404-'));
  if (page !== null) writeFileSync(join(dir, '404.html'), page);
  writeFileSync(join(dir, 'app.html'), '<!doctype html><p>app shell</p>');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'file.txt'), 'a file\n');
  return dir;
}

/** Runs `fn` against the file server on `directory` with `options`. */
function withFiles(options: Partial<StaticOptions>, fn: (port: number) => Promise<void>): Promise<void> {
  return withServer(SimpleHTTPRequestHandler.with({ fileCacheMs: 0, ...options }), {}, ({ port }) =>
    fn(port),
  );
}

describe('404.html at the served root', () => {
  it('is the body of the 404: status 404, HTML, exact length; HEAD has no body; no validators', async () => {
    await withFiles({ directory: site() }, async (port) => {
      const get = await curl(port, '/missing/page');
      assert.equal(get.status, 404);
      assert.equal(get.body, PAGE);
      assert.equal(get.fields.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(get.fields.get('content-length'), String(Buffer.byteLength(PAGE)));
      assert.equal(get.fields.get('etag'), undefined);
      assert.equal(get.fields.get('accept-ranges'), undefined);
      const head = await curl(port, '/missing/page', '-I');
      assert.equal(head.status, 404);
      assert.equal(head.fields.get('content-length'), String(Buffer.byteLength(PAGE)));
      assert.equal(head.body, '');
      // Ranges and preconditions speak of a resource that is not there: still the whole 404.
      const ranged = await curl(port, '/missing', '-H', 'Range: bytes=0-9', '-H', 'If-None-Match: *');
      assert.equal(ranged.status, 404);
      assert.equal(ranged.body, PAGE);
    });
  });

  it('is compressed as other HTML, and Python http.client reads the same 404', async () => {
    await withFiles({ directory: site() }, async (port) => {
      const { stdout } = await run(
        'curl',
        [
          ...['-sS', '-o', '-', '-w', '\\n%{http_code} %header{content-encoding}'],
          ...['-H', 'Accept-Encoding: gzip', `http://127.0.0.1:${port}/nope`],
        ],
        { encoding: 'buffer' },
      );
      const tail = stdout.lastIndexOf(10);
      assert.equal(stdout.subarray(tail + 1).toString(), '404 gzip');
      assert.equal(gunzipSync(stdout.subarray(0, tail)).toString(), PAGE);
      const python = await run('python3', [
        '-c',
        `import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', ${port})
c.request('GET', '/gone')
r = c.getresponse()
print(r.status, r.getheader('Content-Type'), len(r.read()) == ${Buffer.byteLength(PAGE)})`,
      ]);
      assert.equal(python.stdout, '404 text/html; charset=utf-8 True\n');
    });
  });

  it('covers every 404 of the file server: a file with a slash, a directory without listing', async () => {
    await withFiles({ directory: site(), listing: false }, async (port) => {
      for (const path of ['/sub/file.txt/', '/sub/'])
        assert.deepEqual([(await curl(port, path)).status, (await curl(port, path)).body], [404, PAGE]);
    });
  });

  it('--spa still wins for HTML navigations; a script fetch gets the 404 page', async () => {
    await withFiles({ directory: site(), spa: 'app.html' }, async (port) => {
      const navigation = await curl(port, '/route/1', '-H', 'Accept: text/html');
      assert.deepEqual([navigation.status, navigation.body], [200, '<!doctype html><p>app shell</p>']);
      const script = await curl(port, '/missing.js', '-H', 'Accept: */*');
      assert.deepEqual([script.status, script.body], [404, PAGE]);
    });
  });

  it('without one, or when the rules hide it, the built-in page is the 404', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'basehttp-404-outside-'));
    writeFileSync(join(outside, 'page.html'), 'outside page');
    const linked = site(null);
    symlinkSync(join(outside, 'page.html'), join(linked, '404.html'));
    for (const directory of [site(null), linked])
      await withFiles({ directory }, async (port) => {
        const r = await curl(port, '/missing');
        assert.equal(r.status, 404);
        assert.match(r.body, /File not found/);
        assert.doesNotMatch(r.body, /outside page/);
      });
  });

  it('one it cannot hold (a directory; over the 1 MiB the cache reads, as an unreadable one) is not used', async () => {
    const directory = site(null);
    mkdirSync(join(directory, '404.html'));
    const large = site('x'.repeat(1024 * 1024 + 1));
    for (const dir of [directory, large])
      await withFiles({ directory: dir }, async (port) => {
        const r = await curl(port, '/missing');
        assert.equal(r.status, 404);
        assert.match(r.body, /File not found/);
      });
  });

  it('its absence is trusted for fileCacheMs, as the file cache trusts what it holds (no look-up per 404)', async () => {
    const dir = site(null);
    await withServer(
      SimpleHTTPRequestHandler.with({ directory: dir, fileCacheMs: 60_000 }),
      {},
      async ({ port }) => {
        assert.match((await curl(port, '/a')).body, /File not found/);
        writeFileSync(join(dir, '404.html'), PAGE);
        assert.match((await curl(port, '/b')).body, /File not found/);
      },
    );
    const fresh = site(null);
    await withFiles({ directory: fresh }, async (port) => {
      assert.match((await curl(port, '/c')).body, /File not found/);
      writeFileSync(join(fresh, '404.html'), PAGE); // fileCacheMs 0: looked up again on the next 404
      assert.equal((await curl(port, '/d')).body, PAGE);
    });
  });

  it("is the file server's: a CGI handler's missing script keeps the built-in page", async () => {
    const dir = site();
    mkdirSync(join(dir, 'cgi-bin'));
    await withServer(CGIHTTPRequestHandler.with({ directory: dir }), {}, async ({ port }) => {
      const script = await curl(port, '/cgi-bin/none.py');
      assert.equal(script.status, 404);
      assert.match(script.body, /No such CGI script/);
      assert.deepEqual(
        [(await curl(port, '/nope.txt')).status, (await curl(port, '/nope.txt')).body],
        [404, PAGE],
      );
    });
  });
});

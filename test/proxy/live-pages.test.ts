/**
 * Live reload through the reverse proxy: an HTML page a backend renders gets the reload script as the file
 * server's own pages do (`basehttp --live --proxy /=http://127.0.0.1:3000`, browser-sync's proxy mode), with
 * a length and ETag that match the page sent; nothing else a backend sends is touched.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SimpleHTTPRequestHandler, withProxy } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { PAGE, startBackend, type Backend, type Seen } from './backend.js';

const run = promisify(execFile);
const SCRIPT_START = '<script>(function(){var s=new EventSource("/__basehttp/live")';
const HTML = ['-H', 'Accept: text/html,application/xhtml+xml,*/*;q=0.8'];

describe('a proxied HTML page under live reload', () => {
  const site = mkdtempSync(join(tmpdir(), 'basehttp-live-proxy-'));
  let backend: Backend;
  let live: RunningServer;
  let plain: RunningServer;
  before(async () => {
    backend = await startBackend();
    const routes = [{ prefix: '/app/', target: `http://127.0.0.1:${backend.port}/` }];
    live = await startServer(
      withProxy(SimpleHTTPRequestHandler.with({ directory: site, live: true }), { routes }),
    );
    plain = await startServer(withProxy(SimpleHTTPRequestHandler.with({ directory: site }), { routes }));
  });
  after(async () => {
    await live.close();
    await plain.close();
    await backend.close();
    rmSync(site, { recursive: true, force: true });
  });

  it('gets the script before </body>, with its own Content-Length and a weak ETag (curl --compressed)', async () => {
    const r = await curl(live.port, '/app/page', '--compressed', ...HTML);
    assert.equal(r.status, 200);
    // The navigation asked the backend for identity, so the page could be rewritten.
    assert.equal(r.fields.get('content-encoding'), undefined);
    assert.ok(r.body.startsWith(PAGE.slice(0, PAGE.indexOf('</body>'))), r.body);
    assert.ok(r.body.endsWith(`${PAGE.slice(PAGE.indexOf('</body>'))}`), r.body);
    assert.ok(r.body.includes(SCRIPT_START), r.body);
    assert.equal(Number(r.fields.get('content-length')), Buffer.byteLength(r.body));
    assert.equal(r.fields.get('etag'), 'W/"page-1"');

    const head = await curl(live.port, '/app/page', '-I', ...HTML);
    assert.equal(head.status, 200);
    assert.equal(head.fields.get('content-length'), r.fields.get('content-length'));
    assert.equal(head.body, '');
  });

  it('rewrites a page sent without a length (chunked), announcing the length of the page sent', async () => {
    const r = await curl(live.port, '/app/page?chunked', ...HTML);
    assert.equal(r.status, 200);
    assert.ok(r.body.includes(`${SCRIPT_START}`) && r.body.endsWith('</body></html>\n'), r.body);
    assert.equal(Number(r.fields.get('content-length')), Buffer.byteLength(r.body));
    assert.equal(r.fields.get('transfer-encoding'), undefined);
  });

  it('leaves alone what is not a page navigation: a compressed page fetched by a script, and JSON', async () => {
    const fetched = await curl(live.port, '/app/page', '--compressed', '-H', 'Accept: */*');
    assert.equal(fetched.fields.get('content-encoding'), 'gzip');
    assert.equal(fetched.body, PAGE);
    assert.equal(fetched.fields.get('etag'), '"page-1"');

    // Uncompressed HTML to a request that is no navigation is left alone too: only navigations are rewritten.
    const plainFetch = await curl(live.port, '/app/page', '-H', 'Accept: */*');
    assert.equal(plainFetch.fields.get('content-encoding'), undefined);
    assert.equal(plainFetch.body, PAGE);
    assert.equal(plainFetch.fields.get('etag'), '"page-1"');

    // HTML named with weight 0 is HTML refused: no navigation, so the backend's gzip is kept.
    const refused = await curl(live.port, '/app/page', '--compressed', '-H', 'Accept: text/html;q=0, */*');
    assert.equal(refused.fields.get('content-encoding'), 'gzip');
    assert.equal(refused.body, PAGE);

    const json = await curl(live.port, '/app/echo', '--compressed', ...HTML);
    const seen = JSON.parse(json.body) as Seen;
    assert.equal(seen.headers['accept-encoding'], 'identity');
    assert.ok(!json.body.includes(SCRIPT_START));
  });

  it("sends the file server's Cache-Control: no-cache instead of the backend's, page or not", async () => {
    const cacheControl = async (port: number, ...args: string[]): Promise<string[]> => {
      const url = `http://127.0.0.1:${port}/app/page`;
      const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-D', '-', ...args, url]);
      return [...stdout.matchAll(/^cache-control: *(.*?)\r$/gim)].map((match) => match[1]!);
    };
    assert.deepEqual(await cacheControl(live.port, ...HTML), ['no-cache']);
    assert.deepEqual(await cacheControl(live.port, '-H', 'Accept: */*'), ['no-cache']);
    assert.deepEqual(await cacheControl(live.port, '-I', ...HTML), ['no-cache']);
    assert.deepEqual(await cacheControl(plain.port, ...HTML), ['max-age=60']);
  });

  it('sends a page that proves bigger than 4 MiB on as it came, whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-live-proxy-out-'));
    try {
      const file = join(dir, 'page.html');
      const { stdout } = await run('curl', [
        '-sS',
        '-D',
        '-',
        '-o',
        file,
        ...HTML,
        `http://127.0.0.1:${live.port}/app/page?mib=5`,
      ]);
      assert.match(stdout, /^HTTP\/1\.1 200 /);
      assert.match(stdout, /\r\nTransfer-Encoding: chunked\r\n/i);
      const body = readFileSync(file, 'latin1');
      assert.equal(body.length, 5 * 1024 * 1024 + '</body></html>\n'.length);
      assert.ok(!body.includes('<script>'));
      assert.ok(body.endsWith('</p>\n</body></html>\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 502 when the backend dies while the page is read (nothing was sent yet), with one log line', async () => {
    const r = await curl(live.port, '/app/page?die', ...HTML);
    assert.equal(r.status, 502);
    assert.ok(
      live.log.some((line) => / 502 /.test(line) || /Bad Gateway/.test(line)),
      live.log.join('\n'),
    );
  });

  it('is not rewritten without live reload: the backend page and its strong ETag as they came', async () => {
    const r = await curl(plain.port, '/app/page', '--compressed', ...HTML);
    assert.equal(r.fields.get('content-encoding'), 'gzip');
    assert.equal(r.body, PAGE);
    assert.equal(r.fields.get('etag'), '"page-1"');
  });
});

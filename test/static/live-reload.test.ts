import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { InvalidServerOptionError, SimpleHTTPRequestHandler, type StaticOptions } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { withServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

const run = promisify(execFile);
const SCRIPT_START = '<script>(function(){var s=new EventSource("/__basehttp/live")';
const PAGE = '<!doctype html><html><head><title>t</title></head><body><p>page</p></body></html>\n';
/** Large enough (over 1 KiB) to be compressed on the fly. */
const BIG_PAGE = `<html><body>${'<p>line</p>\n'.repeat(300)}</BODY></html>\n`;

function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'basehttp-live-'));
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'big.html'), BIG_PAGE);
  writeFileSync(join(root, 'fragment.html'), '<p>no body end</p>');
  writeFileSync(join(root, 'style.css'), 'p { color: red }\n');
  writeFileSync(join(root, 'data.txt'), 'plain text </body>\n');
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'note.txt'), 'note\n');
  return root;
}

const Live = (root: string, options: Partial<StaticOptions> = {}): typeof SimpleHTTPRequestHandler =>
  SimpleHTTPRequestHandler.with({ directory: root, live: true, ...options });

/** `curl -sN` on the event stream: what it has printed so far, and a wait for a pattern in it. */
function eventStream(port: number): {
  child: ChildProcess;
  text: () => string;
  waitFor: (pattern: RegExp) => Promise<void>;
  ended: Promise<number | null>;
} {
  const child = spawn('curl', ['-sN', '--max-time', '30', `http://127.0.0.1:${port}/__basehttp/live`]);
  let text = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const waiter of waiters.splice(0)) waiter();
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = async (pattern: RegExp): Promise<void> => {
    while (!pattern.test(text)) {
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      if ((await Promise.race([more.then(() => 'data'), ended.then(() => 'ended')])) === 'ended')
        assert.match(text, pattern);
    }
  };
  return { child, text: () => text, waitFor, ended };
}

/** How many inotify watches this process holds (Linux), from its descriptors' fdinfo. */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // the descriptor readdir itself used, closed since
    }
    count += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}

/** The events (`event: …` and its `data: …`) a stream's text holds, in order. */
function events(text: string): string[] {
  return [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('live reload (--live)', () => {
  const roots: string[] = [];
  const root = (): string => {
    const made = fixture();
    roots.push(made);
    return made;
  };
  after(() => {
    for (const made of roots) rmSync(made, { recursive: true, force: true });
  });

  it('injects the script before </body> of HTML files, with an exact length, its own ETag and no-cache', async () => {
    const dir = root();
    let plainTag = '';
    await withServer(SimpleHTTPRequestHandler.with({ directory: dir }), {}, async (s) => {
      plainTag = (await curl(s.port, '/index.html')).fields.get('etag')!;
    });
    await withServer(Live(dir, { cacheSeconds: 3600 }), {}, async (s) => {
      const page = await curl(s.port, '/index.html');
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(`<p>page</p>${SCRIPT_START}`), page.body);
      assert.ok(page.body.endsWith('</script></body></html>\n'));
      assert.equal(Number(page.fields.get('content-length')), Buffer.byteLength(page.body));
      assert.notEqual(page.fields.get('etag'), plainTag);
      assert.match(page.fields.get('etag')!, /-live"$/);
      assert.equal(page.fields.get('cache-control'), 'no-cache'); // --live wins over --cache
      const head = await curl(s.port, '/index.html', '-I');
      assert.equal(head.fields.get('content-length'), page.fields.get('content-length'));
      assert.equal(head.fields.get('etag'), page.fields.get('etag'));
      const again = await curl(s.port, '/index.html', '-H', `If-None-Match: ${page.fields.get('etag')}`);
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      const stale = await curl(s.port, '/index.html', '-H', `If-None-Match: ${plainTag}`);
      assert.equal(stale.status, 200);
    });
  });

  it('puts the script at the end of a page without </body>, and after the last </BODY> in any case', async () => {
    await withServer(Live(root()), {}, async (s) => {
      const fragment = await curl(s.port, '/fragment.html');
      assert.ok(fragment.body.startsWith(`<p>no body end</p>${SCRIPT_START}`));
      assert.ok(fragment.body.endsWith('</script>'));
      const big = await curl(s.port, '/big.html');
      assert.ok(big.body.endsWith('</script></BODY></html>\n'));
    });
  });

  it('leaves other types alone, byte for byte, ranges included', async () => {
    await withServer(Live(root()), {}, async (s) => {
      const text = await curl(s.port, '/data.txt');
      assert.equal(text.body, 'plain text </body>\n');
      assert.equal(text.fields.get('cache-control'), 'no-cache');
      const css = await curl(s.port, '/style.css', '-H', 'Range: bytes=0-1');
      assert.equal(css.status, 206);
      assert.equal(css.body, 'p ');
    });
  });

  it('answers a range of an injected page with the whole page, 200, and no Accept-Ranges', async () => {
    await withServer(Live(root()), {}, async (s) => {
      const whole = await curl(s.port, '/index.html');
      const ranged = await curl(s.port, '/index.html', '-H', 'Range: bytes=0-9');
      assert.equal(ranged.status, 200);
      assert.equal(ranged.body, whole.body);
      assert.equal(ranged.fields.get('accept-ranges'), undefined);
      assert.equal(ranged.fields.get('content-range'), undefined);
      assert.equal(whole.fields.get('accept-ranges'), undefined);
    });
  });

  it('compresses the injected page (gzip and brotli decode to it)', async () => {
    await withServer(Live(root()), {}, async (s) => {
      const identity = (await curl(s.port, '/big.html')).body;
      assert.ok(identity.includes(SCRIPT_START));
      for (const [coding, decode] of [
        ['gzip', zlib.gunzipSync],
        ['br', zlib.brotliDecompressSync],
      ] as const) {
        const { stdout } = await run(
          'curl',
          ['-sS', '-H', `Accept-Encoding: ${coding}`, '-D', '-', `http://127.0.0.1:${s.port}/big.html`],
          { encoding: 'buffer' },
        );
        const split = stdout.indexOf('\r\n\r\n');
        const headText = stdout.subarray(0, split).toString('latin1');
        assert.match(headText, new RegExp(`content-encoding: ${coding}`, 'i'));
        assert.match(headText, /etag: "[^"]*-live-/i);
        assert.equal(decode(stdout.subarray(split + 4)).toString(), identity);
      }
    });
  });

  it('serves an edited page at once: the file cache does not keep the old bytes', async () => {
    const dir = root();
    await withServer(Live(dir), {}, async (s) => {
      assert.ok((await curl(s.port, '/index.html')).body.includes('<p>page</p>'));
      writeFileSync(join(dir, 'index.html'), '<html><body><p>edited page</p></body></html>');
      const page = await curl(s.port, '/index.html');
      assert.ok(page.body.startsWith(`<html><body><p>edited page</p>${SCRIPT_START}`), page.body);
      assert.equal(Number(page.fields.get('content-length')), Buffer.byteLength(page.body));
    });
  });

  it('injects into listings and error pages, not into JSON listings', async () => {
    await withServer(Live(root()), {}, async (s) => {
      const listing = await curl(s.port, '/sub/');
      assert.ok(listing.body.includes(SCRIPT_START));
      assert.equal(Number(listing.fields.get('content-length')), Buffer.byteLength(listing.body));
      const missing = await curl(s.port, '/missing.html');
      assert.equal(missing.status, 404);
      assert.ok(missing.body.includes(`${SCRIPT_START}`));
      assert.equal(Number(missing.fields.get('content-length')), Buffer.byteLength(missing.body));
      assert.equal(missing.fields.get('cache-control'), 'no-cache');
      const json = await curl(s.port, '/sub/?format=json');
      assert.ok(!json.body.includes('<script>'));
    });
  });

  it('changes nothing without live: no script, no event stream, no Cache-Control', async () => {
    await withServer(SimpleHTTPRequestHandler.with({ directory: root() }), {}, async (s) => {
      const page = await curl(s.port, '/index.html');
      assert.equal(page.body, PAGE);
      assert.equal(page.fields.get('cache-control'), undefined);
      assert.equal(page.fields.get('accept-ranges'), 'bytes');
      assert.equal((await curl(s.port, '/__basehttp/live')).status, 404);
    });
  });

  it('refuses liveIgnore without live', () => {
    assert.throws(
      () => SimpleHTTPRequestHandler.with({ liveIgnore: ['dist'] }),
      (err: unknown) => err instanceof InvalidServerOptionError && /liveIgnore needs live/.test(err.message),
    );
  });

  it('streams a css event for a stylesheet, one reload for a burst, nothing for ignored paths', async () => {
    const dir = root();
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(join(dir, 'dist', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    await withServer(Live(dir, { liveIgnore: ['*.log', 'dist'] }), {}, async (s) => {
      const stream = eventStream(s.port);
      try {
        await stream.waitFor(/^retry: 1000\n\n/);
        writeFileSync(join(dir, 'style.css'), 'p { color: blue }\n');
        await stream.waitFor(/event: css\n/);
        for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'index.html'), `<p>save ${i}</p>`);
        await stream.waitFor(/event: reload\n/);
        // Ignored paths, then one that is not: were any let through, it would be named beside the last one.
        writeFileSync(join(dir, '.env'), 'SECRET=1\n');
        writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), '1\n');
        writeFileSync(join(dir, 'server.log'), 'line\n');
        writeFileSync(join(dir, 'dist', 'deep', 'app.js'), '1\n');
        writeFileSync(join(dir, 'nested', 'deeper', 'page.html'), '<p>deep</p>');
        await stream.waitFor(/deeper/);
        // A directory made while serving is watched too, once its creation was told.
        mkdirSync(join(dir, 'later'));
        await stream.waitFor(/data: \["later"\]/);
        writeFileSync(join(dir, 'later', 'new.html'), '<p>new</p>');
        await stream.waitFor(/later\/new\.html/);
        assert.deepEqual(events(stream.text()), [
          'css ["style.css"]',
          'reload ["index.html"]',
          'reload ["nested/deeper/page.html"]',
          'reload ["later"]',
          'reload ["later/new.html"]',
        ]);
      } finally {
        stream.child.kill();
        await stream.ended;
      }
    });
  });

  it('watches each directory it may report on once, and never walks node_modules or dot-directories', async (t) => {
    if (process.platform !== 'linux') return t.skip('inotify watches are counted in /proc on Linux');
    const dir = root(); // the directory and sub/
    for (let i = 0; i < 20; i++) {
      mkdirSync(join(dir, 'node_modules', `pkg${i}`), { recursive: true });
      writeFileSync(join(dir, 'node_modules', `pkg${i}`, 'index.js'), '1\n');
      mkdirSync(join(dir, '.git', `objects${i}`), { recursive: true });
    }
    await withServer(Live(dir), {}, async (s) => {
      const before = inotifyWatches();
      const stream = eventStream(s.port);
      try {
        await stream.waitFor(/^retry: 1000\n\n/);
        // The walk is asynchronous: sub/ is watched a little after the stream opens.
        await eventually(() => inotifyWatches() - before >= 2, 'sub/ to be watched');
        writeFileSync(join(dir, 'sub', 'note.txt'), 'changed\n');
        await stream.waitFor(/sub\/note\.txt/);
        assert.equal(inotifyWatches() - before, 2);
      } finally {
        stream.child.kill();
        await stream.ended;
      }
    });
  });

  // The timeout turns a stream that held the shutdown into a failure rather than a hung run.
  it('ends open event streams at once when the server shuts down', { timeout: 20_000 }, async () => {
    await withServer(Live(root()), {}, async (s) => {
      const streams = [eventStream(s.port), eventStream(s.port)];
      for (const stream of streams) await stream.waitFor(/^retry: 1000\n\n/);
      await s.server.shutdown(60_000); // far longer than the test's time: only ended streams let it return
      assert.deepEqual(await Promise.all(streams.map((stream) => stream.ended)), [0, 0]);
      assert.ok(!s.log.some((line) => line.includes('shutdown deadline')), s.log.join('\n'));
    });
  });

  it("delivers a reload to Python's http.client reading the stream", async () => {
    const dir = root();
    await withServer(Live(dir), {}, async (s) => {
      const python = run('python3', [
        '-c',
        `import http.client, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
conn.request('GET', '/__basehttp/live')
res = conn.getresponse()
print(res.status, res.getheader('Content-Type'), flush=True)
while True:
    line = res.readline().decode()
    if line.startswith('event:'):
        print(line.strip(), res.readline().decode().strip(), flush=True)
        break
page = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
page.request('GET', '/index.html')
got = page.getresponse()
body = got.read()
print(len(body) == int(got.getheader('Content-Length')), b'EventSource' in body)`,
        String(s.port),
      ]);
      // Written until the stream is seen open, as the log says: a write before would find no listener.
      while (!s.log.some((line) => line.includes('/__basehttp/live')))
        await new Promise((r) => setTimeout(r, 20));
      writeFileSync(join(dir, 'index.html'), '<p>python</p>');
      const { stdout } = await python;
      assert.equal(stdout, '200 text/event-stream\nevent: reload data: ["index.html"]\nTrue True\n');
    });
  });
});

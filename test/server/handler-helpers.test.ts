import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler, ClientDisconnected } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'basehttp-helpers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every helper, one route each; the small limits make 413s cheap to reach. */
class Helpers extends BaseHTTPRequestHandler {
  static left: unknown[] = [];

  async doGET(): Promise<void> {
    if (this.pathname === '/events') return this.events();
    this.sendJson(200, {
      path: this.pathname,
      a: this.query.getAll('a'),
      b: this.query.get('b'),
      missing: this.query.get('missing'),
    });
  }

  doHEAD(): Promise<void> {
    return this.doGET();
  }

  async doPOST(): Promise<void> {
    switch (this.pathname) {
      case '/json':
        return this.sendJson(201, { got: await this.readJson(64) });
      case '/form': {
        const form = await this.readForm(Number(this.query.get('max') ?? 1024 * 1024));
        const out: Record<string, unknown> = {};
        for (const [name, value] of form) {
          out[name] =
            typeof value === 'string'
              ? value
              : { name: value.name, type: value.type, text: await value.text(), size: value.size };
        }
        return this.sendJson(200, out);
      }
    }
    this.sendError(404);
  }

  /** Server-sent events until the client leaves: a bounded loop that stops on the signal. */
  private async events(): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/event-stream');
    this.endHeaders();
    const signal = this.signal;
    for (let i = 0; i < 500 && !signal.aborted; i++) {
      this.wfile.write(`data: ${i}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    Helpers.left.push(signal.aborted ? signal.reason : 'never noticed');
  }
}

describe('handler helpers over real sockets', () => {
  const s = serverForSuite(Helpers);

  it('query and pathname: Python’s parse_qs(urlparse(self.path).query)', async () => {
    const r = await curl(s.port, '/items/?a=1&a=2&b=two%20words&c=');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { path: '/items/', a: ['1', '2'], b: 'two words', missing: null });
  });

  it('a fragment a raw client sent is neither path nor query, as the file server reads it', async () => {
    const cases: Array<[string, { path: string; a: string[]; b: string | null }]> = [
      ['/items?a=1#b=2', { path: '/items', a: ['1'], b: null }],
      ['/items#x?a=1&b=2', { path: '/items', a: [], b: null }],
      ['/items?a=1&b=2#', { path: '/items', a: ['1'], b: '2' }],
    ];
    for (const [target, expected] of cases) {
      const raw = await exchangeRaw(s.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`, { responses: 1 });
      const [res] = parseResponses(raw.bytes);
      assert.equal(res?.status, 200, target);
      const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
      assert.deepEqual(body, { ...expected, missing: null }, target);
    }
  });

  it('sendJson: status, Content-Type and exact Content-Length; no body to HEAD', async () => {
    const r = await curl(s.port, '/x?a=%C3%A9');
    assert.equal(r.fields.get('content-type'), 'application/json');
    assert.equal(Number(r.fields.get('content-length')), Buffer.byteLength(r.body));
    const head = await curl(s.port, '/x?a=%C3%A9', '-I');
    assert.equal(head.fields.get('content-length'), r.fields.get('content-length'));
    assert.equal(head.body, '');
  });

  it('readJson with fetch: parsed; 400 for bad JSON, 415 for another type, 413 over the limit', async () => {
    const url = `http://127.0.0.1:${s.port}/json`;
    const post = (body: string, type = 'application/json'): Promise<Response> =>
      fetch(url, { method: 'POST', body, headers: { 'content-type': type } });
    const ok = await post(JSON.stringify({ n: 1, s: 'é' }));
    assert.equal(ok.status, 201);
    assert.deepEqual(await ok.json(), { got: { n: 1, s: 'é' } });
    assert.equal((await post('{"n": 1', 'application/json; charset=utf-8')).status, 400);
    assert.equal((await post('{"n":1}', 'text/plain')).status, 415);
    assert.equal((await post('{"n":1}', 'application/problem+json')).status, 201);
    const big = await post(JSON.stringify({ s: 'x'.repeat(100) }));
    assert.equal(big.status, 413);
  });

  it('readForm, urlencoded with curl -d', async () => {
    const r = await curl(s.port, '/form', '-d', 'name=Ada+Lovelace&lang=%C3%A9&lang=py');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { name: 'Ada Lovelace', lang: 'py' });
  });

  it('readForm, multipart with curl -F: fields as strings, files as File', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'line one\nline two\n');
    const r = await curl(s.port, '/form', '-F', 'title=my notes', '-F', `upload=@${file};type=text/plain`);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), {
      title: 'my notes',
      upload: { name: 'notes.txt', type: 'text/plain', text: 'line one\nline two\n', size: 18 },
    });
  });

  it('readForm, multipart from Python’s standard library', async () => {
    const script = `
import urllib.request, sys
boundary = 'XyZ'
body = (b'--XyZ\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\n1\\r\\n'
        b'--XyZ\\r\\nContent-Disposition: form-data; name="f"; filename="b.bin"\\r\\n'
        b'Content-Type: application/octet-stream\\r\\n\\r\\n\\x00\\x01\\x02\\r\\n--XyZ--\\r\\n')
req = urllib.request.Request(sys.argv[1], data=body, headers={'Content-Type': 'multipart/form-data; boundary=XyZ'})
print(urllib.request.urlopen(req).read().decode())
`;
    const { stdout } = await run('python3', ['-c', script, `http://127.0.0.1:${s.port}/form`]);
    assert.deepEqual(JSON.parse(stdout), {
      a: '1',
      f: { name: 'b.bin', type: 'application/octet-stream', text: '\u0000\u0001\u0002', size: 3 },
    });
  });

  it('readForm refuses: 415 for JSON, 413 over the limit, 400 for multipart without a boundary', async () => {
    const json = await curl(s.port, '/form', '-H', 'Content-Type: application/json', '-d', '{}');
    assert.equal(json.status, 415);
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(4096, 1));
    assert.equal((await curl(s.port, '/form?max=1000', '-F', `f=@${file}`)).status, 413);
    // Chunked, so no Content-Length tells in advance: the count while reading does.
    const chunked = await curl(
      s.port,
      '/form?max=1000',
      '-H',
      'Transfer-Encoding: chunked',
      '-F',
      `f=@${file}`,
    );
    assert.equal(chunked.status, 413);
    const noBoundary = await curl(s.port, '/form', '-H', 'Content-Type: multipart/form-data', '-d', 'x');
    assert.equal(noBoundary.status, 400);
  });

  it('signal: a streaming handler learns that the client left, with a ClientDisconnected', async () => {
    Helpers.left = [];
    const socket = net.connect(s.port, '127.0.0.1');
    socket.write('GET /events HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.destroy();
    for (let i = 0; i < 200 && Helpers.left.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(Helpers.left.length, 1);
    assert.ok(Helpers.left[0] instanceof ClientDisconnected, String(Helpers.left[0]));
  });
});

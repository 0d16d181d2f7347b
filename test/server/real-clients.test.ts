import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serverForSuite } from '../helpers/server.js';
import { Echo } from './handlers.js';

const run = promisify(execFile);

/** Python's http.client against the server: GET, HEAD, POST, chunked POST and keep-alive on one socket. */
const PYTHON_CLIENT = `
import http.client, json, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
out = {}
conn.request('GET', '/py')
r = conn.getresponse(); out['get'] = [r.status, r.read().decode()]
sock = conn.sock
conn.request('HEAD', '/py')
r = conn.getresponse(); out['head'] = [r.status, r.getheader('Content-Length'), r.read().decode()]
conn.request('POST', '/py', body=b'x' * 100000, headers={'Content-Type': 'application/octet-stream'})
r = conn.getresponse(); out['post'] = [r.status, len(r.read())]
conn.request('PUT', '/py', body=iter([b'abc', b'def', b'ghi']), encode_chunked=True)
r = conn.getresponse(); out['chunked'] = [r.status, r.getheader('X-Method'), r.read().decode()]
out['same_socket'] = conn.sock is sock
conn.request('GET', '/py', headers={'Expect': '100-continue'})
r = conn.getresponse(); out['expect'] = r.status; r.read()
conn.close()
print(json.dumps(out))
`;

describe('real clients', () => {
  const ctx = serverForSuite(Echo);

  it('curl: GET, HEAD, POST, chunked upload, and connection reuse', async () => {
    const base = `http://127.0.0.1:${ctx.port}`;
    const get = await run('curl', ['-sS', '-i', `${base}/curl`]);
    assert.match(get.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(get.stdout, /\r\n\r\nhello \/curl$/);

    const head = await run('curl', ['-sS', '-I', `${base}/`]);
    assert.match(head.stdout, /Content-Length: 42/);

    const post = await run('curl', ['-sS', '--data-binary', 'payload=1&x=2', `${base}/form`]);
    assert.equal(post.stdout, 'payload=1&x=2');

    const chunked = await run('sh', [
      '-c',
      `printf 'streamed body' | curl -sS -H 'Transfer-Encoding: chunked' --data-binary @- ${base}/up`,
    ]);
    assert.equal(chunked.stdout, 'streamed body');

    const reuse = await run('curl', ['-sS', '-v', `${base}/1`, `${base}/2`, `${base}/3`]);
    assert.equal(reuse.stdout, 'hello /1hello /2hello /3');
    assert.equal(
      (reuse.stderr.match(/Re-using existing connection|Reusing existing/g) ?? []).length,
      2,
      reuse.stderr,
    );

    const expect = await run('curl', [
      '-sS',
      '-v',
      '-H',
      'Expect: 100-continue',
      '--data-binary',
      'continued',
      `${base}/e`,
    ]);
    assert.equal(expect.stdout, 'continued');
    assert.match(expect.stderr, /HTTP\/1\.1 100 Continue/);
  });

  it("Python's http.client: GET, HEAD, POST, chunked PUT, keep-alive, Expect", async () => {
    const { stdout } = await run('python3', ['-c', PYTHON_CLIENT, String(ctx.port)]);
    assert.deepEqual(JSON.parse(stdout), {
      get: [200, 'hello /py'],
      head: [200, '42', ''],
      post: [200, 100000],
      chunked: [200, 'PUT', 'abcdefghi'],
      same_socket: true,
      expect: 200,
    });
  });
});

/**
 * The client against nginx (needs nginx-light, which `.ci/run` installs). `$connection` and
 * `$connection_requests` in nginx's answers prove from the server's side which connection carried a request.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HTTPConnection, Pool, closeAllPools, request } from '../../src/index.js';
import { serverForSuite } from '../helpers/server.js';
import { Echo } from '../server/handlers.js';
import { nginxForSuite } from './nginx.js';

after(() => closeAllPools());

const GZIPPED = 'nginx compresses this line. '.repeat(40);

describe('HTTPConnection and Pool against nginx', () => {
  const upstream = serverForSuite(Echo);
  const nginx = nginxForSuite(
    () => `
    location = /conn { return 200 "$connection $connection_requests"; }
    location = /moved { return 301 /conn; }
    location = /closing { keepalive_requests 2; return 200 "$connection $connection_requests"; }
    location = /gz {
      gzip on; gzip_types text/plain; gzip_min_length 1; default_type text/plain;
      return 200 "${GZIPPED}";
    }
    location /echo { proxy_pass http://127.0.0.1:${upstream.port}; proxy_http_version 1.1; }`,
  );

  /** `[connection number, requests on it]` from an nginx answer. */
  const parse = (text: string): [number, number] => text.split(' ').map(Number) as [number, number];

  it('GET, HEAD, POST and PUT, all on one kept-alive connection', async () => {
    const conn = new HTTPConnection('127.0.0.1', nginx.port, { timeout: 5000 });
    await conn.request('GET', '/conn');
    const first = await conn.getresponse();
    assert.equal(first.getheader('server')?.startsWith('nginx'), true);
    const [id, n] = parse((await first.read()).toString());
    assert.equal(n, 1);
    await conn.request('HEAD', '/conn');
    const head = await conn.getresponse();
    assert.equal(head.status, 200);
    assert.equal((await head.read()).length, 0);
    await conn.request('POST', '/echo', { body: 'posted through nginx' });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'posted through nginx');
    await conn.request('PUT', '/echo', { body: Buffer.from('put through nginx') });
    const put = await conn.getresponse();
    assert.equal(put.getheader('x-method'), 'PUT');
    assert.equal((await put.read()).toString(), 'put through nginx');
    await conn.request('GET', '/conn');
    assert.deepEqual(parse((await (await conn.getresponse()).read()).toString()), [id, 5]);
    conn.close();
  });

  it('chunked both ways: a streamed upload, and a gzip answer nginx sends chunked', async () => {
    const conn = new HTTPConnection('127.0.0.1', nginx.port, { timeout: 5000 });
    async function* parts(): AsyncGenerator<string> {
      for (let i = 0; i < 50; i++) yield `part ${i};`;
    }
    await conn.request('POST', '/echo', { body: parts() });
    assert.equal(
      (await (await conn.getresponse()).read()).toString(),
      Array.from({ length: 50 }, (_, i) => `part ${i};`).join(''),
    );
    await conn.request('GET', '/gz', { headers: { 'Accept-Encoding': 'gzip' } });
    const res = await conn.getresponse();
    assert.equal(res.getheader('transfer-encoding'), 'chunked');
    assert.equal(res.getheader('content-encoding'), 'gzip');
    assert.ok((await res.read()).length < GZIPPED.length);
    conn.close();
    const decoded = await request(`http://127.0.0.1:${nginx.port}/gz`, { decompress: true });
    assert.equal(await decoded.text(), GZIPPED);
  });

  it('Expect: 100-continue: nginx says 100 before it reads the body', async () => {
    // The wait for 100 is longer than the whole timeout: only nginx's `100 Continue` lets the body go.
    const conn = new HTTPConnection('127.0.0.1', nginx.port, { timeout: 5000, continueTimeout: 60_000 });
    await conn.request('PUT', '/echo', { body: 'after 100', headers: { Expect: '100-continue' } });
    assert.equal((await (await conn.getresponse()).read()).toString(), 'after 100');
    conn.close();
  });

  it('redirects followed when asked', async () => {
    const res = await request(`http://127.0.0.1:${nginx.port}/moved`, { maxRedirects: 1 });
    assert.equal(res.status, 200);
    assert.equal(new URL(res.url).pathname, '/conn');
    await res.text();
  });

  it('nginx closing keep-alive connections (keepalive_requests 2): the pool opens new ones', async () => {
    const pool = new Pool(`http://127.0.0.1:${nginx.port}`, { connections: 1 });
    const seen: Array<[number, number]> = [];
    for (let i = 0; i < 6; i++) {
      const res = await pool.request({ path: '/closing' });
      if (seen.length % 2 === 1) assert.equal(res.headers.get('connection'), 'close');
      seen.push(parse(await res.text()));
    }
    assert.deepEqual(
      seen.map(([, n]) => n),
      [1, 2, 1, 2, 1, 2],
    );
    assert.equal(new Set(seen.map(([id]) => id)).size, 3, 'three connections, two requests each');
    pool.close();
  });

  it('50 requests in flight, pipelined 5 deep on 4 connections, each answered once', async () => {
    const pool = new Pool(`http://127.0.0.1:${nginx.port}`, { connections: 4, pipelining: 5 });
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async () => (await pool.request({ path: '/conn' })).text()),
      );
      assert.equal(new Set(answers).size, 50, 'no answer delivered twice');
      assert.ok(new Set(answers.map((a) => parse(a)[0])).size <= 4);
    }
    assert.equal(pool.size, 4);
    pool.close();
  });
});

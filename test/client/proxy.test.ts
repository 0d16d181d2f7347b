/** The client through a forward proxy: CONNECT tunnels (TLS to the origin over them) and absolute-form. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  AlreadyConnected,
  ConnectionFailed,
  HTTPConnection,
  HTTPSConnection,
  Pool,
  ProxyAuthenticationRequired,
  ProxyError,
  TimeoutError,
  closeAllPools,
  request,
} from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { forwardProxy, type ForwardProxy } from './forward-proxy.js';
import { nginxForSuite } from './nginx.js';
import { startPython } from './python-process.js';
import { rawServer } from './raw-server.js';

after(() => closeAllPools());

/** What nginx echoes: the request line it got, its Host, and any Proxy-Authorization that reached it. */
const ECHO =
  'location / { return 200 "$request host=$host auth=[$http_proxy_authorization] n=$connection_requests"; }';

describe('through a CONNECT tunnel to a TLS origin (nginx)', () => {
  const made = makeCertificate();
  const ca = readFileSync(made.cert, 'utf8');
  const nginx = nginxForSuite(
    () => `ssl_certificate ${made.cert}; ssl_certificate_key ${made.key}; ${ECHO}`,
    {
      ssl: true,
    },
  );
  let proxy: ForwardProxy;
  before(async () => {
    proxy = await forwardProxy({ credentials: 'user:pa ss' });
  });
  after(() => proxy.close());

  it('Pool: one tunnel carries several requests; credentials go in the CONNECT only; TLS checks the origin', async () => {
    const pool = new Pool(`https://localhost:${nginx.port}`, {
      proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}`,
      tls: { ca },
    });
    for (let i = 1; i <= 3; i++) {
      const res = await pool.request({ path: `/x?i=${i}` });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `GET /x?i=${i} HTTP/1.1 host=localhost auth=[] n=${i}`);
    }
    assert.deepEqual(proxy.tunnels, [`localhost:${nginx.port}`]);
    assert.equal(pool.size, 1);
    pool.close();
  });

  it('Pool: requests beyond `connections` wait for a tunnel; no more tunnels than connections', async () => {
    const tunnelsBefore = proxy.tunnels.length;
    const pool = new Pool(`https://localhost:${nginx.port}`, {
      proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}`,
      tls: { ca },
      connections: 2,
    });
    const texts = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => (await pool.request({ path: `/c${i}` })).text()),
    );
    texts.forEach((text, i) => assert.match(text, new RegExp(`^GET /c${i} HTTP/1\\.1 host=localhost`)));
    assert.equal(proxy.tunnels.length - tunnelsBefore, 2);
    pool.close();
  });

  it('request() with an explicit proxy, and with proxy: "env" from HTTPS_PROXY', async () => {
    const before = proxy.tunnels.length;
    const url = `https://localhost:${nginx.port}/via`;
    const res = await request(url, {
      proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}`,
      pool: { tls: { ca } },
    });
    assert.match(await res.text(), /^GET \/via HTTP\/1\.1 host=localhost auth=\[\]/);
    process.env['HTTPS_PROXY'] = `http://user:pa%20ss@127.0.0.1:${proxy.port}`;
    process.env['NO_PROXY'] = 'example.test';
    try {
      const viaEnv = await request(`${url}?env`, { proxy: 'env', pool: { tls: { ca }, connections: 2 } });
      assert.match(await viaEnv.text(), /^GET \/via\?env HTTP\/1\.1/);
      assert.equal(proxy.tunnels.length, before + 2, 'both went through the proxy');
      // NO_PROXY naming the host: straight to nginx, no new tunnel.
      process.env['NO_PROXY'] = 'example.test, .localhost';
      const direct = await request(`${url}?direct`, { proxy: 'env', pool: { tls: { ca }, connections: 3 } });
      assert.match(await direct.text(), /^GET \/via\?direct HTTP\/1\.1/);
      assert.equal(proxy.tunnels.length, before + 2);
    } finally {
      delete process.env['HTTPS_PROXY'];
      delete process.env['NO_PROXY'];
    }
  });

  it("HTTPSConnection.setTunnel as Python's set_tunnel: the proxy is the host, the origin's name is checked", async () => {
    const authorization = `Basic ${Buffer.from('user:pa ss').toString('base64')}`;
    const conn = new HTTPSConnection('127.0.0.1', proxy.port, { ca });
    conn.setTunnel('localhost', nginx.port, { 'Proxy-Authorization': authorization });
    for (let i = 1; i <= 2; i++) {
      await conn.request('GET', '/tunnel');
      const res = await conn.getresponse();
      assert.equal((await res.read()).toString(), `GET /tunnel HTTP/1.1 host=localhost auth=[] n=${i}`);
    }
    const tlsSocket = conn.sock as TLSSocket;
    assert.equal(tlsSocket.servername, 'localhost');
    assert.equal(tlsSocket.authorized, true);
    assert.throws(() => conn.setTunnel('other.test'), AlreadyConnected);
    conn.close();
    // The origin's certificate is checked through the tunnel: not trusted without the CA.
    const untrusted = new HTTPSConnection('localhost', nginx.port, {
      proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}`,
    });
    await assert.rejects(untrusted.request('GET', '/'), /self[- ]signed|unable to verify/i);
    untrusted.close();
  });

  it('a 407 (no or wrong credentials) is ProxyAuthenticationRequired with the challenge', async () => {
    for (const proxyURL of [`http://127.0.0.1:${proxy.port}`, `http://user:wrong@127.0.0.1:${proxy.port}`]) {
      const pool = new Pool(`https://localhost:${nginx.port}`, { proxy: proxyURL, tls: { ca } });
      await assert.rejects(pool.request({ path: '/' }), (err: Error) => {
        assert.ok(err instanceof ProxyAuthenticationRequired);
        assert.equal(err.code, 'BH_ERR_PROXY_AUTHENTICATION_REQUIRED');
        assert.equal(err.status, 407);
        assert.equal(err.authenticate, 'Basic realm="test proxy"');
        return true;
      });
      pool.close();
    }
  });
});

describe('through a forward proxy to plain HTTP origins: absolute-form', () => {
  const nginx = nginxForSuite(() => ECHO);
  let proxy: ForwardProxy;
  before(async () => {
    proxy = await forwardProxy({ credentials: 'user:secret' });
  });
  after(() => proxy.close());

  it('Pool and HTTPConnection send absolute-form with Proxy-Authorization; the proxy keeps it from the origin', async () => {
    const proxyURL = `http://user:secret@127.0.0.1:${proxy.port}`;
    const pool = new Pool(`http://127.0.0.1:${nginx.port}`, { proxy: proxyURL });
    for (let i = 0; i < 2; i++) {
      const res = await pool.request({ path: '/abs?q=1' });
      assert.match(
        await res.text(),
        new RegExp(`^GET /abs\\?q=1 HTTP/1\\.1 host=127\\.0\\.0\\.1 auth=\\[\\]`),
      );
    }
    pool.close();
    const conn = new HTTPConnection('127.0.0.1', nginx.port, { proxy: proxyURL });
    await conn.request('GET', '/conn');
    assert.match((await (await conn.getresponse()).read()).toString(), /^GET \/conn HTTP\/1\.1/);
    conn.close();
    const authorization = `Basic ${Buffer.from('user:secret').toString('base64')}`;
    assert.deepEqual(proxy.forwarded, [
      { url: `http://127.0.0.1:${nginx.port}/abs?q=1`, authorization },
      { url: `http://127.0.0.1:${nginx.port}/abs?q=1`, authorization },
      { url: `http://127.0.0.1:${nginx.port}/conn`, authorization },
    ]);
    assert.equal(proxy.connections, 2, 'the pool kept its connection to the proxy alive');
  });

  it('a 407 to an absolute-form request is ProxyAuthenticationRequired', async () => {
    const pool = new Pool(`http://127.0.0.1:${nginx.port}`, { proxy: `http://127.0.0.1:${proxy.port}` });
    await assert.rejects(pool.request({ path: '/' }), ProxyAuthenticationRequired);
    pool.close();
    const conn = new HTTPConnection('127.0.0.1', nginx.port, { proxy: `http://127.0.0.1:${proxy.port}` });
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), ProxyAuthenticationRequired);
    conn.close();
  });

  it('HTTPConnection.setTunnel tunnels plain HTTP too, as Python does', async () => {
    const open = await forwardProxy();
    const conn = new HTTPConnection('127.0.0.1', open.port);
    conn.setTunnel('127.0.0.1', nginx.port);
    await conn.request('GET', '/plain');
    assert.match(
      (await (await conn.getresponse()).read()).toString(),
      /^GET \/plain HTTP\/1\.1 host=127\.0\.0\.1/,
    );
    assert.deepEqual(open.tunnels, [`127.0.0.1:${nginx.port}`]);
    conn.close();
    await open.close();
  });
});

describe("through a proxy to the stock 'python3 -m http.server'", () => {
  it('absolute-form (request() with proxy) and a tunnel (setTunnel) both reach it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-proxy-py-'));
    writeFileSync(join(dir, 'file.txt'), 'from python\n');
    const { port, child } = await startPython(
      ['-m', 'http.server', '0', '-b', '127.0.0.1', '-d', dir],
      / port (\d+) /,
    );
    const proxy = await forwardProxy();
    try {
      const res = await request(`http://127.0.0.1:${port}/file.txt`, {
        proxy: `http://127.0.0.1:${proxy.port}`,
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'from python\n');
      assert.deepEqual(
        proxy.forwarded.map((forwarded) => forwarded.url),
        [`http://127.0.0.1:${port}/file.txt`],
      );
      const conn = new HTTPConnection('127.0.0.1', proxy.port);
      conn.setTunnel('127.0.0.1', port);
      await conn.request('GET', '/file.txt');
      const tunnelled = await conn.getresponse();
      assert.equal(tunnelled.version, 10);
      assert.equal((await tunnelled.read()).toString(), 'from python\n');
      assert.deepEqual(proxy.tunnels, [`127.0.0.1:${port}`]);
      conn.close();
    } finally {
      child.kill();
      await proxy.close();
    }
  });
});

describe('proxies that fail: a typed error, never a hang', () => {
  const origin = 'https://localhost:9/';

  it('a refused CONNECT (403) is a ProxyError with its status', async () => {
    const proxy = await forwardProxy({ refuseTunnels: true });
    const pool = new Pool(origin, { proxy: `127.0.0.1:${proxy.port}` });
    await assert.rejects(pool.request({ path: '/' }), (err: Error) => {
      assert.ok(err instanceof ProxyError && !(err instanceof ProxyAuthenticationRequired));
      assert.equal(err.status, 403);
      assert.equal(err.code, 'BH_ERR_PROXY');
      assert.match(err.message, /refused the tunnel to localhost:9: 403 Forbidden/);
      return true;
    });
    pool.close();
    await proxy.close();
  });

  it('every request queued behind refused tunnels fails too', async () => {
    const proxy = await forwardProxy({ refuseTunnels: true });
    const pool = new Pool(origin, { proxy: `127.0.0.1:${proxy.port}`, connections: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => pool.request({ path: '/' })));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof ProxyError);
    }
    pool.close();
    await proxy.close();
  });

  it('garbage, a close before answering, silence and a refused connection', async () => {
    const garbage = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const closing = await rawServer((socket) => socket.destroy());
    const silent = await rawServer(() => {});
    const cases: Array<[number, (err: Error) => boolean]> = [
      [
        garbage.port,
        (err) =>
          err instanceof ProxyError && err.status === null && /not answer CONNECT in HTTP/.test(err.message),
      ],
      [closing.port, (err) => err instanceof ProxyError || err instanceof ConnectionFailed],
      [silent.port, (err) => err instanceof TimeoutError],
    ];
    for (const [port, check] of cases) {
      const pool = new Pool(origin, { proxy: `http://127.0.0.1:${port}`, timeout: 300 });
      await assert.rejects(
        pool.request({ path: '/' }),
        (err: Error) => check(err) || assert.fail(String(err)),
      );
      pool.close();
    }
    await Promise.all([garbage.close(), closing.close(), silent.close()]);
    const gone = await rawServer(() => {});
    await gone.close();
    const pool = new Pool(origin, { proxy: `http://127.0.0.1:${gone.port}` });
    await assert.rejects(pool.request({ path: '/' }), (err: Error) => {
      assert.ok(err instanceof ConnectionFailed);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
    pool.close();
  });
});

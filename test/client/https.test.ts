import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort, startNginx } from '../../bench/lib.js';
import { HTTPSConnection, Pool } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';

describe('HTTPSConnection against nginx with a certificate made here', () => {
  let port = 0;
  let nginx: Awaited<ReturnType<typeof startNginx>> = null;
  let cert = '';

  before(async () => {
    const made = makeCertificate();
    cert = readFileSync(made.cert, 'utf8');
    // nginx needs a port number up front; another test may take a free one first, so try a few.
    for (let attempt = 0; attempt < 3 && nginx === null; attempt++) {
      port = await freePort();
      nginx = await startNginx(
        port,
        `ssl_certificate ${made.cert}; ssl_certificate_key ${made.key}; location / { return 200 "tls ok"; }`,
        { ssl: true },
      ).catch(() => null);
    }
    assert.ok(nginx !== null, 'nginx is needed for this test: apt-get install nginx-light (.ci/run does)');
  });
  after(() => nginx?.stop());

  it('verifies the certificate against a given CA, with SNI, and keeps the connection alive', async () => {
    const conn = new HTTPSConnection('localhost', port, { ca: cert });
    for (let i = 0; i < 3; i++) {
      await conn.request('GET', '/');
      const res = await conn.getresponse();
      assert.equal(res.status, 200);
      assert.equal((await res.read()).toString(), 'tls ok');
    }
    const tlsSocket = conn.sock as import('node:tls').TLSSocket;
    assert.equal(tlsSocket.alpnProtocol, 'http/1.1');
    assert.equal(tlsSocket.servername, 'localhost');
    conn.close();
  });

  it('refuses an unknown certificate by default, accepts it with rejectUnauthorized: false', async () => {
    const strict = new HTTPSConnection('127.0.0.1', port);
    await assert.rejects(strict.request('GET', '/'), /self[- ]signed|unable to verify/i);
    const pool = new Pool(`https://127.0.0.1:${port}`, { tls: { rejectUnauthorized: false } });
    assert.equal(await (await pool.request({ path: '/' })).text(), 'tls ok');
    pool.close();
  });
});

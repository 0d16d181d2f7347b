import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { HTTPSConnection, Pool } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { nginxForSuite } from './nginx.js';

describe('HTTPSConnection against nginx with a certificate made here', () => {
  const made = makeCertificate();
  const cert = readFileSync(made.cert, 'utf8');
  const nginx = nginxForSuite(
    () =>
      `ssl_certificate ${made.cert}; ssl_certificate_key ${made.key}; location / { return 200 "tls ok $connection_requests"; }`,
    { ssl: true },
  );

  it('verifies the certificate against a given CA, with SNI and ALPN, and keeps the connection alive', async () => {
    const conn = new HTTPSConnection('localhost', nginx.port, { ca: cert });
    for (let i = 1; i <= 3; i++) {
      await conn.request('GET', '/');
      const res = await conn.getresponse();
      assert.equal(res.status, 200);
      assert.equal((await res.read()).toString(), `tls ok ${i}`, 'request i on the same connection');
    }
    const tlsSocket = conn.sock as TLSSocket;
    assert.equal(tlsSocket.alpnProtocol, 'http/1.1');
    assert.equal(tlsSocket.servername, 'localhost');
    assert.equal(tlsSocket.authorized, true);
    conn.close();
  });

  it('refuses an unknown certificate by default, accepts it with rejectUnauthorized: false', async () => {
    const strict = new HTTPSConnection('127.0.0.1', nginx.port);
    await assert.rejects(strict.request('GET', '/'), /self[- ]signed|unable to verify/i);
    strict.close();
    const wrongName = new HTTPSConnection('localhost', nginx.port, { ca: cert, servername: 'other.test' });
    await assert.rejects(wrongName.request('GET', '/'), /altnames|does not match/i);
    wrongName.close();
    const pool = new Pool(`https://127.0.0.1:${nginx.port}`, { tls: { rejectUnauthorized: false } });
    assert.equal(await (await pool.request({ path: '/' })).text(), 'tls ok 1');
    pool.close();
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { exchangeRaw, parseResponses, withServer } from '../helpers/server.js';

/** Answers with the client address it was given. */
class WhoAmI extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from(this.clientAddress[0]);
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

async function ask(port: number, headers: string): Promise<string> {
  const r = await exchangeRaw(port, `GET / HTTP/1.1\r\nHost: t\r\n${headers}Connection: close\r\n\r\n`);
  return parseResponses(r.bytes)[0]!.body.toString();
}

describe('trustProxy', () => {
  it('believes X-Forwarded-For and Forwarded only from trusted hops, and logs the client', async () => {
    await withServer(WhoAmI, { trustProxy: ['127.0.0.1', '10.0.0.0/8'] }, async (s) => {
      assert.equal(await ask(s.port, ''), '127.0.0.1');
      assert.equal(await ask(s.port, 'X-Forwarded-For: 203.0.113.9\r\n'), '203.0.113.9');
      assert.equal(
        await ask(s.port, 'X-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.2.3\r\n'),
        '203.0.113.9',
        'trusted hops are skipped, not more',
      );
      assert.equal(
        await ask(s.port, 'Forwarded: for="[2001:db8::1]:4711";proto=https, for=10.0.0.2\r\n'),
        '2001:db8::1',
      );
      assert.equal(
        await ask(s.port, 'Forwarded: for=192.0.2.60:8080\r\nX-Forwarded-For: 203.0.113.9\r\n'),
        '192.0.2.60',
        'Forwarded wins',
      );
      s.server.flushLog();
      assert.ok(
        s.log.some((l) => l.startsWith('203.0.113.9 - - [')),
        s.log.join('\n'),
      );
    });
  });

  it('takes only addresses from the chain: ports are dropped, unknown or obfuscated nodes end the walk', async () => {
    await withServer(WhoAmI, { trustProxy: ['127.0.0.1'] }, async (s) => {
      assert.equal(await ask(s.port, 'X-Forwarded-For: 203.0.113.9:5555\r\n'), '203.0.113.9');
      assert.equal(await ask(s.port, 'X-Forwarded-For: [2001:db8::7]:443\r\n'), '2001:db8::7');
      assert.equal(await ask(s.port, 'X-Forwarded-For: 203.0.113.9, unknown\r\n'), '127.0.0.1');
      assert.equal(await ask(s.port, 'X-Forwarded-For: <script>\r\n'), '127.0.0.1');
      assert.equal(await ask(s.port, 'Forwarded: for=unknown\r\n'), '127.0.0.1');
      assert.equal(await ask(s.port, 'Forwarded: for=203.0.113.9, for=_hidden\r\n'), '127.0.0.1');
      assert.equal(await ask(s.port, 'Forwarded: for=_hidden, for=127.0.0.1\r\n'), '127.0.0.1');
    });
  });

  it('ignores forwarding headers from a peer that is not trusted (they may be forged)', async () => {
    await withServer(WhoAmI, { trustProxy: ['10.0.0.0/8'] }, async (s) => {
      assert.equal(await ask(s.port, 'X-Forwarded-For: 203.0.113.9\r\n'), '127.0.0.1');
    });
    await withServer(WhoAmI, {}, async (s) => {
      assert.equal(
        await ask(s.port, 'X-Forwarded-For: 203.0.113.9\r\n'),
        '127.0.0.1',
        'no proxy is trusted by default',
      );
    });
  });
});

describe('basehttp --trust-proxy', () => {
  it('refuses what is not an address or a range, with exit 2', async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    // With -b: were a bad value ever accepted, the server would bind loopback, never every address.
    for (const bad of ['10.0.0.0/33', '::1/129', '10.0.0.0/x', '10.0.0.0/8/8', 'proxy.example']) {
      const r = await promisify(execFile)(process.execPath, [
        main,
        '-b',
        '127.0.0.1',
        '--trust-proxy',
        bad,
        '0',
      ]).catch((e: { code: number; stderr: string }) => e);
      assert.equal((r as { code: number }).code, 2, bad);
      assert.match((r as { stderr: string }).stderr, /argument --trust-proxy: not an IP address or range/);
    }
  });
});

/**
 * Chromium opening a WebSocket from a page served by `basehttp -d DIR --proxy /ws/=…`, so the page and the
 * socket share an origin; and a `ws` client through `--proxy` to an https backend trusted with `--proxy-ca`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { BaseHTTPRequestHandler, HTTPSServer } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { launchChromium } from '../helpers/chromium.js';
import { startServe } from '../helpers/serve-process.js';
import { startServer } from '../helpers/server.js';

/** Echoes each message back upper-cased, offering subprotocol `chat`. */
class ShoutBackend extends BaseHTTPRequestHandler {
  doGET(): void {
    const ws = this.acceptWebSocket({ protocols: ['chat'] });
    ws.onmessage = (event) => ws.send((event.data as string).toUpperCase());
  }
}

const site = mkdtempSync(join(tmpdir(), 'basehttp-proxy-ws-'));
writeFileSync(
  join(site, 'index.html'),
  `<!doctype html><script>
const ws = new WebSocket(new URL('/ws/shout', location.href.replace(/^http/, 'ws')), ['chat']);
ws.onopen = () => ws.send('hello from ' + ws.protocol);
ws.onmessage = (event) => { document.title = event.data; ws.close(1000); };
</script>`,
);

describe('basehttp --proxy carrying WebSockets', () => {
  it('lets a page open a WebSocket on its own origin to the backend (Chromium)', async (t) => {
    const backend = await startServer(ShoutBackend);
    t.after(() => backend.close());
    const serve = await startServe(t, [
      ...['-b', '127.0.0.1', '-d', site, '--proxy', `/ws/=http://127.0.0.1:${backend.port}/`, '0'],
    ]);
    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${serve.port}/`);
    await page.waitForFunction('document.title !== ""');
    assert.equal(await page.title(), 'HELLO FROM CHAT');
    assert.match(serve.err(), /"GET \/ws\/shout HTTP\/1\.1" 101/);
  });

  it('reaches an https backend with the CA --proxy-ca trusts (ws client)', async (t) => {
    const { cert, key } = makeCertificate();
    const backend = new HTTPSServer({ host: '127.0.0.1', port: 0 }, ShoutBackend, {
      certfile: cert,
      keyfile: key,
      logStream: null,
    });
    await backend.start();
    t.after(() => backend.shutdown(100));
    const serve = await startServe(t, [
      ...['-b', '127.0.0.1', '-d', site, '--proxy', `/=https://127.0.0.1:${backend.serverPort}`],
      ...['--proxy-ca', cert, '0'],
    ]);
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/secure`, ['chat']);
    const answer = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('over tls'));
      ws.once('message', (data: Buffer) => resolve(data.toString()));
      ws.once('error', reject);
    });
    ws.close();
    assert.equal(answer, 'OVER TLS');
  });
});

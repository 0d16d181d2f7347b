/**
 * browser-sync's proxy mode in a real browser: a backend renders its page from a template under the served
 * directory; `--live` with the proxy in front reloads the open page when the template is saved.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { SimpleHTTPRequestHandler, withProxy } from '../../src/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { withServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

/** Generous: the machine is shared and loaded; a reload takes well under a second when it is not. */
const WAIT_MS = 10_000;

describe('a page a backend renders, reloaded through the proxy in a real browser (Debian chromium)', () => {
  let browser: Browser;
  let backend: http.Server;
  const templates = mkdtempSync(join(tmpdir(), 'basehttp-live-templates-'));
  const template = join(templates, 'page.html');
  before(async () => {
    browser = await launchChromium();
    // Reads the template on every request, as a framework's dev server does; sends the page gzipped to
    // clients that accept it, so the proxy must ask for it uncompressed to put the script in.
    backend = http.createServer((req, res) => {
      const text = `<!doctype html><html><body><p id=p>${readFileSync(template, 'utf8')}</p></body></html>`;
      const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const body = gzip ? zlib.gzipSync(text) : Buffer.from(text);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': body.length,
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => backend.close(resolve));
    rmSync(templates, { recursive: true, force: true });
  });

  it('reloads the proxied page when its template under the served directory is written', async () => {
    writeFileSync(template, 'first');
    const port = (backend.address() as net.AddressInfo).port;
    const Handler = withProxy(SimpleHTTPRequestHandler.with({ directory: templates, live: true }), {
      routes: [{ prefix: '/app', target: `http://127.0.0.1:${port}` }],
    });
    await withServer(Handler, {}, async (s) => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${s.port}/app/`);
      assert.equal(await page.textContent('#p'), 'first');
      await page.evaluate('window.marker = "kept"');
      await eventually(
        () => s.log.some((line) => line.includes('"GET /__basehttp/live')),
        'the page to open its event stream',
        WAIT_MS,
      );
      const reloaded = page.waitForEvent('load', { timeout: WAIT_MS });
      writeFileSync(template, 'second');
      await reloaded;
      assert.equal(await page.textContent('#p'), 'second');
      assert.equal(await page.evaluate('window.marker'), undefined, 'a navigation happened');
      await page.close();
    });
  });
});

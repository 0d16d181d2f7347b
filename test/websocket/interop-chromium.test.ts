import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { eventually } from '../helpers/wait.js';
import { serverForSuite, startServer, withServer } from '../helpers/server.js';
import { interopHandler } from './interop-server.js';

/**
 * Opens a browser WebSocket on `path` of the page's server, sends each of `messages` (strings, or arrays of
 * bytes sent as a Uint8Array, or as a Blob when `asBlob`), and returns what it saw: extensions, protocol, each
 * message that came back (text, or an array of bytes), and the close. A string run in the page, since this
 * project compiles without DOM types.
 */
function browserSocket(
  page: Page,
  path: string,
  messages: Array<string | number[]>,
  { asBlob = false, expect = messages.length } = {},
): Promise<{
  extensions: string;
  protocol: string;
  received: Array<string | number[]>;
  close: { code: number; reason: string; wasClean: boolean };
}> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const url = new URL(${JSON.stringify(path)}, location.href);
    url.protocol = 'ws:';
    const ws = new WebSocket(url, ['chat.v1']); // every server here speaks chat.v1
    ws.binaryType = 'arraybuffer';
    const received = [];
    ws.onopen = () => {
      for (const m of ${JSON.stringify(messages)}) {
        if (typeof m === 'string') ws.send(m);
        else ws.send(${asBlob} ? new Blob([new Uint8Array(m)]) : new Uint8Array(m));
      }
      if (${expect} === 0 && ${messages.length} > 0) ws.close(1000, 'done');
    };
    ws.onmessage = (event) => {
      received.push(typeof event.data === 'string' ? event.data : [...new Uint8Array(event.data)]);
      if (received.length === ${expect}) ws.close(1000, 'done');
    };
    ws.onerror = () => {};
    ws.onclose = (e) => resolve({
      extensions: ws.extensions,
      protocol: ws.protocol,
      received,
      close: { code: e.code, reason: e.reason, wasClean: e.wasClean },
    });
    setTimeout(() => reject(new Error('no close within 10 s')), 10000);
  })`);
}

/** Opens the chat page and waits until its socket is open. */
async function openChat(browser: Browser, base: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('body[data-state="open"]');
  return page;
}

describe('interop: Chromium (playwright-core) against acceptWebSocket()', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  describe('with compression on', () => {
    const { Handler, closes } = interopHandler({ protocols: ['chat.v1'], compress: true });
    const running = serverForSuite(Handler);
    const base = (): string => `http://127.0.0.1:${running.port}/`;

    it('the chat page: a message sent from one page arrives in the other', async () => {
      const one = await openChat(browser, base());
      const two = await openChat(browser, base());
      await one.fill('#text', 'hello from page one');
      await one.press('#text', 'Enter');
      await two.waitForSelector('#log li.message:has-text("hello from page one")');
      await one.waitForSelector('#log li.message:has-text("hello from page one")');
      await two.fill('#text', 'and back from two');
      await two.press('#text', 'Enter');
      await one.waitForSelector('#log li.message:has-text("and back from two")');
      await one.close();
      await two.close();
    });

    it('negotiates permessage-deflate (Chromium offers it) and round-trips a 256 KiB text', async () => {
      const page = await browser.newPage();
      await page.goto(base());
      const big = 'the quick brown fox jumps over the lazy dog. '.repeat(5826);
      const seen = await browserSocket(page, '/echo', [big, 'small', big]);
      assert.match(seen.extensions, /^permessage-deflate/);
      assert.equal(seen.protocol, 'chat.v1');
      assert.deepEqual(seen.received, [big, 'small', big]);
      assert.deepEqual([seen.close.code, seen.close.wasClean], [1000, true]);
      await page.close();
    });

    it('binary messages: Uint8Array and Blob come back as ArrayBuffers, text stays text', async () => {
      const page = await browser.newPage();
      await page.goto(base());
      const bytes = [0, 255, 1, 254, 128, 127];
      const large = Array.from({ length: 3000 }, (_, i) => i % 256);
      const fromArray = await browserSocket(page, '/echo', [bytes, 'héllo ✓', large]);
      assert.deepEqual(fromArray.received, [bytes, 'héllo ✓', large]);
      const fromBlob = await browserSocket(page, '/echo', [bytes], { asBlob: true });
      assert.deepEqual(fromBlob.received, [bytes]);
      await page.close();
    });

    it('sees the application close code and reason the server sends (4000 range)', async () => {
      const page = await browser.newPage();
      await page.goto(base());
      const seen = await browserSocket(page, '/close?code=4000&reason=game+over', [], { expect: 1 });
      assert.deepEqual(seen.close, { code: 4000, reason: 'game over', wasClean: true });
      await page.close();
    });

    it("the server sees the browser's close code and reason", async () => {
      const page = await browser.newPage();
      await page.goto(base());
      const before = closes.length;
      await browserSocket(page, '/echo', ['one'], { expect: 1 });
      await page.close();
      await eventually(() => closes.length > before, 'closes.length > before');
      assert.deepEqual(
        closes.slice(before).filter((c) => c.path === '/echo'),
        [{ path: '/echo', code: 1000, reason: 'done', wasClean: true }],
      );
    });
  });

  it('without compression the browser gets no extension, and messages still flow', async () => {
    await withServer(interopHandler({ protocols: ['chat.v1'] }).Handler, {}, async ({ port }) => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      const seen = await browserSocket(page, '/echo', ['plain']);
      assert.deepEqual([seen.extensions, seen.received, seen.close.code], ['', ['plain'], 1000]);
      await page.close();
    });
  });

  it('sees 1001 (going away) on every open page when the server shuts down', async () => {
    const running = await startServer(interopHandler().Handler);
    const base = `http://127.0.0.1:${running.port}/`;
    const pages = [await openChat(browser, base), await openChat(browser, base)];
    const stopped = running.close(); // shutdown(): every WebSocket gets a close frame with 1001 at once
    for (const page of pages) {
      await page.waitForSelector('body[data-state="closed"]');
      assert.match((await page.textContent('#log li.status:last-child')) ?? '', /disconnected \(1001/);
      await page.close();
    }
    await stopped;
  });
});

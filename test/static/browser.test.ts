import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { withServer } from '../helpers/server.js';
import { TRICKY_NAMES } from './fixture.js';

/** A mono 16-bit PCM WAV of `seconds` of a 440 Hz tone: a real media file a browser can seek in. */
function wav(seconds: number, rate = 8000): Buffer {
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

describe('a real browser (Debian chromium, driven by playwright-core)', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'basehttp-browser-'));
  before(async () => {
    mkdirSync(join(root, 'media'));
    writeFileSync(join(root, 'media', 'tone.wav'), wav(20));
    writeFileSync(
      join(root, 'media', 'player.html'),
      '<!doctype html><audio id="a" src="tone.wav" preload="auto"></audio>',
    );
    writeFileSync(join(root, 'notes & <more>.txt'), 'browser notes\n');
    mkdirSync(join(root, 'tricky'));
    for (const name of TRICKY_NAMES) writeFileSync(join(root, 'tricky', name), `content of ${name}\n`);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('opens a listing, follows links, and seeks in a media file through range requests', async () => {
    const ranges: string[] = [];
    const Handler = class extends SimpleHTTPRequestHandler.with({ directory: root }) {
      override logRequest(code: number | string = '-'): void {
        const range = this.headers.get('range');
        if (range !== undefined) ranges.push(`${this.path} ${range} ${code}`);
      }
    };
    await withServer(Handler, {}, async (s) => {
      const page = await browser.newPage();
      const base = `http://127.0.0.1:${s.port}/`;
      const listing = await page.goto(base);
      assert.equal(listing?.status(), 200);
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/listing.png', fullPage: true });
      await page.click('text=notes & <more>.txt');
      await page.waitForLoadState();
      assert.equal(await page.textContent('body'), 'browser notes\n');
      await page.goto(base);
      await page.click('text=media/');
      await page.waitForURL(`${base}media/`);
      await page.click('text=player.html');
      // Runs in the page (a string, since this project compiles without DOM types).
      const seeked: { duration: number; time: number } = await page.evaluate(`(async () => {
        const audio = document.getElementById('a');
        if (audio.readyState < 1) await new Promise((r) => audio.addEventListener('loadedmetadata', r, { once: true }));
        audio.currentTime = 15;
        await new Promise((r) => audio.addEventListener('seeked', r, { once: true }));
        return { duration: audio.duration, time: audio.currentTime };
      })()`);
      assert.ok(Math.abs(seeked.duration - 20) < 0.1, `duration ${seeked.duration}`);
      assert.ok(Math.abs(seeked.time - 15) < 0.5, `time ${seeked.time}`);
      assert.ok(
        ranges.some((r) => r.startsWith('/media/tone.wav bytes=') && r.endsWith(' 206')),
        `range requests seen: ${ranges.join('; ')}`,
      );
      await page.close();
    });
  });

  it('every tricky name opens from a click; the listing follows light and dark, and narrow screens', async () => {
    await withServer(SimpleHTTPRequestHandler.with({ directory: root }), {}, async (s) => {
      const page = await browser.newPage();
      const listing = `http://127.0.0.1:${s.port}/tricky/`;
      for (const name of TRICKY_NAMES) {
        await page.goto(listing);
        await page.getByRole('link', { name, exact: true }).click();
        await page.waitForLoadState();
        assert.equal(await page.textContent('body'), `content of ${name}\n`, name);
      }
      await page.goto(listing);
      const background = (): Promise<unknown> =>
        page.evaluate('getComputedStyle(document.body).backgroundColor');
      await page.emulateMedia({ colorScheme: 'light' });
      assert.equal(await background(), 'rgb(255, 255, 255)');
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal(await background(), 'rgb(13, 17, 23)');
      await page.screenshot({ path: 'test-artifacts/listing-dark.png', fullPage: true });
      const mtimeShown = (): Promise<unknown> =>
        page.evaluate(`getComputedStyle(document.querySelector('td.mtime')).display`);
      assert.notEqual(await mtimeShown(), 'none');
      await page.setViewportSize({ width: 360, height: 640 });
      assert.equal(await mtimeShown(), 'none', 'the time column gives way on a phone');
      await page.screenshot({ path: 'test-artifacts/listing-narrow.png', fullPage: true });
      await page.close();
    });
  });
});

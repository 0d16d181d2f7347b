import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { withServer, type RunningServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

/** Generous: the machine is shared and loaded; a reload takes well under a second when it is not. */
const WAIT_MS = 10_000;

describe('live reload in a real browser (Debian chromium)', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'basehttp-live-browser-'));
  before(async () => {
    mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Waits until the server has opened `count` event streams in all (its log has a line for each). */
  function streamsOpened(s: RunningServer, count: number): Promise<void> {
    const opened = (): number => s.log.filter((line) => line.includes('"GET /__basehttp/live')).length;
    return eventually(() => opened() >= count, `event stream ${count} opened`, WAIT_MS);
  }

  const Handler = SimpleHTTPRequestHandler.with({ directory: root, live: true, liveIgnore: ['dist'] });

  it('reloads a page once after a burst of writes to it, and swaps a stylesheet without a reload', async () => {
    writeFileSync(join(root, 'style.css'), 'p { color: rgb(255, 0, 0) }\n');
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><link rel=stylesheet href=style.css><body><p id=p>first</p></body>',
    );
    await withServer(Handler, {}, async (s) => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${s.port}/`);
      await page.evaluate('window.marker = "kept"');
      await streamsOpened(s, 1);
      let loads = 0;
      page.on('load', () => loads++);
      const reloaded = page.waitForEvent('load', { timeout: WAIT_MS });
      for (let i = 0; i < 5; i++)
        writeFileSync(join(root, 'index.html'), `<link rel=stylesheet href=style.css><p id=p>save ${i}</p>`);
      await reloaded;
      assert.equal(await page.textContent('#p'), 'save 4');
      assert.equal(await page.evaluate('window.marker'), undefined, 'a navigation happened');

      // The reloaded page's own stream, then a stylesheet edit: the colour changes, the marker stays.
      await page.evaluate('window.marker = "kept"');
      await streamsOpened(s, 2);
      const colour = 'getComputedStyle(document.getElementById("p")).color';
      assert.equal(await page.evaluate(colour), 'rgb(255, 0, 0)');
      // Ignored paths beside it: were one let through, the burst would be a reload and the marker gone.
      writeFileSync(join(root, '.hidden.html'), 'x');
      writeFileSync(join(root, 'node_modules', 'pkg', 'index.js'), 'x');
      writeFileSync(join(root, 'dist', 'bundle.js'), 'x');
      writeFileSync(join(root, 'style.css'), 'p { color: rgb(0, 0, 255) }\n');
      await page.waitForFunction(`${colour} === "rgb(0, 0, 255)"`, undefined, { timeout: WAIT_MS });
      assert.equal(await page.evaluate('window.marker'), 'kept', 'no navigation');
      assert.equal(loads, 1, 'one reload for the burst, none for the stylesheet');
      await page.close();
    });
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { withServer } from '../helpers/server.js';
import { uploadFixture } from './fixture.js';

describe('the listing’s upload form in a real browser (chromium)', () => {
  const { root } = uploadFixture();
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('uploads the chosen files and shows them in the listing', async () => {
    const picked = join(root, '..', 'picked <1>.txt');
    writeFileSync(picked, 'chosen in a browser\n');
    const Handler = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: { overwrite: false, mkdir: false, maxBytes: null },
    });
    await withServer(Handler, {}, async (s) => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${s.port}/sub/`);
      await page.setInputFiles('form#upload input[type=file]', picked);
      await Promise.all([
        page.waitForURL(`http://127.0.0.1:${s.port}/sub/`),
        page.click('form#upload button'),
      ]);
      await page.waitForLoadState();
      const names = await page.locator('tbody a').allTextContents();
      assert.ok(names.includes('picked <1>.txt'), names.join(', '));
      await page.close();
    });
    assert.equal(readFileSync(join(root, 'sub', 'picked <1>.txt'), 'utf8'), 'chosen in a browser\n');
  });

  it('shows no form when uploads are off', async () => {
    await withServer(SimpleHTTPRequestHandler.with({ directory: root }), {}, async (s) => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${s.port}/`);
      assert.equal(await page.$('form'), null);
      await page.close();
    });
  });
});

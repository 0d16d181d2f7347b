import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CGIHTTPRequestHandler, SimpleHTTPRequestHandler, type UploadOptions } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { withServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { tempFiles, uploadFixture } from './fixture.js';

const NO_OPTIONS: UploadOptions = { overwrite: false, mkdir: false, maxBytes: null };

describe('multipart form uploads (curl -F)', () => {
  const { root } = uploadFixture();
  const local = join(root, '..');
  const file = (name: string, text: string | Buffer): string => {
    const path = join(local, name);
    writeFileSync(path, text);
    return path;
  };
  const one = file('one.txt', 'first\n');
  const two = file('two.txt', 'second\n');
  const Handler = SimpleHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS });

  it('saves every file part in the directory; 303 back to it, or JSON of what was saved', async () => {
    await withServer(Handler, {}, async (s) => {
      const browser = await curl(s.port, '/sub/', '-F', `a=@${one}`, '-F', `b=@${two}`, '-F', 'note=ignored');
      assert.equal(browser.status, 303);
      assert.equal(browser.fields.get('location'), '/sub/');
      assert.equal(readFileSync(join(root, 'sub', 'one.txt'), 'utf8'), 'first\n');
      assert.equal(readFileSync(join(root, 'sub', 'two.txt'), 'utf8'), 'second\n');
      assert.equal(existsSync(join(root, 'sub', 'note')), false);
      // The same names again: numbered, never replaced.
      const json = await curl(s.port, '/sub', '-F', `a=@${one}`, '-H', 'Accept: application/json');
      assert.equal(json.status, 201);
      assert.deepEqual(JSON.parse(json.body), {
        saved: [{ name: 'one (1).txt', size: 6, url: '/sub/one%20(1).txt' }],
      });
      assert.equal((await curl(s.port, '/sub/one%20(1).txt')).body, 'first\n');
    });
  });

  it('reduces hostile file names to safe base names', async () => {
    await withServer(Handler, {}, async (s) => {
      const r = await curl(
        s.port,
        '/',
        '-H',
        'Accept: application/json',
        ...['../../escape.txt', '.env', 'a/b.txt', 'C:\\Users\\x\\win.txt', 'tab\tname.txt'].flatMap(
          (name) => ['-F', `f=@${one};filename="${name}"`],
        ),
      );
      assert.equal(r.status, 201, r.body);
      const names = (JSON.parse(r.body) as { saved: Array<{ name: string }> }).saved.map((f) => f.name);
      assert.deepEqual(names, ['escape.txt', 'env', 'b.txt', 'win.txt', 'tabname.txt']);
      for (const name of names) assert.ok(existsSync(join(root, name)), name);
      assert.equal(existsSync(join(root, '..', 'escape.txt')), false);
      assert.equal(existsSync(join(root, '.env')), false);
      // Nothing usable in the name: 400, and nothing of the form is saved.
      const dots = await curl(
        s.port,
        '/sub/',
        '-F',
        `f=@${two};filename=fine.txt`,
        '-F',
        `g=@${one};filename=..`,
      );
      assert.equal(dots.status, 400);
      assert.equal(existsSync(join(root, 'sub', 'fine.txt')), false);
      assert.deepEqual(tempFiles(root), []);
    });
  });

  it('a form whose client leaves mid-file saves nothing, and its temporary file goes', async () => {
    await withServer(Handler, {}, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const part = '--b\r\nContent-Disposition: form-data; name="f"; filename="cut.bin"\r\n\r\n';
      socket.write(
        'POST /sub/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
          `Content-Length: 1000000\r\n\r\n${part}`,
      );
      socket.write(Buffer.alloc(100_000, 1));
      await eventually(() => tempFiles(root).length === 1, 'the file part began');
      socket.destroy();
      await eventually(() => tempFiles(root).length === 0, 'its temporary file went');
      assert.equal(existsSync(join(root, 'sub', 'cut.bin')), false);
    });
  });

  it('overwrite replaces a file of the same name', async () => {
    const Replacing = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: { ...NO_OPTIONS, overwrite: true },
    });
    await withServer(Replacing, {}, async (s) => {
      const r = await curl(s.port, '/', '-F', `f=@${file('old.txt', 'replaced by a form\n')}`);
      assert.equal(r.status, 303);
    });
    assert.equal(readFileSync(join(root, 'old.txt'), 'utf8'), 'replaced by a form\n');
  });

  it('refuses: not multipart (415), no file (400), a file URL (409), dot-directories (403), over the limit (413)', async () => {
    const Limited = SimpleHTTPRequestHandler.with({
      directory: root,
      upload: { ...NO_OPTIONS, maxBytes: 10_000 },
    });
    await withServer(Limited, {}, async (s) => {
      assert.equal((await curl(s.port, '/sub/', '-d', 'a=b')).status, 415);
      assert.equal((await curl(s.port, '/sub/', '-F', 'a=b')).status, 400);
      assert.equal((await curl(s.port, '/old.txt', '-F', `f=@${one}`)).status, 409);
      assert.equal((await curl(s.port, '/.git/', '-F', `f=@${one}`)).status, 403);
      assert.equal((await curl(s.port, '/missing/', '-F', `f=@${one}`)).status, 409);
      const big = file('big.bin', Buffer.alloc(6_000, 1));
      // Two files of 6,000 bytes: the second passes the request's limit, and neither is kept.
      const r = await curl(
        s.port,
        '/sub/',
        '-F',
        `a=@${big};filename=big1.bin`,
        '-F',
        `b=@${big};filename=big2.bin`,
      );
      assert.equal(r.status, 413);
      assert.deepEqual(
        readdirSync(join(root, 'sub')).filter((n) => n.startsWith('big')),
        [],
      );
      assert.deepEqual(tempFiles(root), []);
    });
  });

  it('with CGI on, a form posted outside the CGI directories is saved, never inside them', async () => {
    const Cgi = CGIHTTPRequestHandler.with({ directory: root, upload: NO_OPTIONS });
    await withServer(Cgi, {}, async (s) => {
      assert.equal((await curl(s.port, '/sub/', '-F', `f=@${one};filename=via-cgi.txt`)).status, 303);
      assert.notEqual((await curl(s.port, '/cgi-bin/', '-F', `f=@${one}`)).status, 303);
    });
    assert.ok(existsSync(join(root, 'sub', 'via-cgi.txt')));
    assert.deepEqual(readdirSync(join(root, 'cgi-bin')), []);
  });

  it('dotfiles on: an upload in progress is still neither listed nor served', async () => {
    const { UPLOAD_TEMP_PREFIX } = await import('../../src/handlers/static/upload/place-file.js');
    writeFileSync(join(root, `${UPLOAD_TEMP_PREFIX}leftover`), 'partial');
    writeFileSync(join(root, '.visible'), 'dotfile');
    const Dotted = SimpleHTTPRequestHandler.with({ directory: root, dotfiles: true, upload: NO_OPTIONS });
    await withServer(Dotted, {}, async (s) => {
      const listing = await curl(s.port, '/?format=json');
      assert.match(listing.body, /\.visible/);
      assert.doesNotMatch(listing.body, /basehttp-upload/);
      assert.equal((await curl(s.port, `/${UPLOAD_TEMP_PREFIX}leftover`)).status, 404);
    });
  });
});

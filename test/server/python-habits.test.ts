import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BaseHTTPRequestHandler, HTTPServer, SimpleHTTPRequestHandler } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { withServer } from '../helpers/server.js';

const root = mkdtempSync(join(tmpdir(), 'basehttp-habits-'));
after(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'hello.txt'), 'hello\n');
mkdirSync(join(root, 'docs'));

/** A small text answer through the plain API. */
function answer(handler: BaseHTTPRequestHandler, text: string): void {
  handler.sendResponse(200);
  handler.sendHeader('Content-Type', 'text/plain');
  handler.sendHeader('Content-Length', Buffer.byteLength(text));
  handler.endHeaders();
  handler.wfile.write(text);
}

describe('a Python-style method name', () => {
  it('do_GET is refused when the server is made, naming doGET', () => {
    class Ported extends BaseHTTPRequestHandler {
      do_GET(): void {
        answer(this, 'never called');
      }
    }
    assert.throws(
      () => new HTTPServer({ host: '127.0.0.1', port: 0 }, Ported, { logStream: null }),
      (err: Error & { code?: string }) =>
        err.name === 'HandlerMethodNameError' &&
        err.code === 'BH_ERR_HANDLER_METHOD_NAME' &&
        /Ported/.test(err.message) &&
        /do_GET\(\) → doGET\(\)/.test(err.message),
    );
  });

  it('every misspelt method is named, Python’s and camelCase, inherited ones too', () => {
    class Base extends BaseHTTPRequestHandler {
      do_POST(): void {}
    }
    class Ported extends Base {
      doGet(): void {}
      do_PATCH(): void {}
    }
    assert.throws(
      () => new HTTPServer({ host: '127.0.0.1', port: 0 }, Ported, { logStream: null }),
      (err: Error) =>
        ['doGet() → doGET()', 'do_PATCH() → doPATCH()', 'do_POST() → doPOST()'].every((s) =>
          err.message.includes(s),
        ),
    );
  });

  it('a handler spelt the TypeScript way, with helpers named do…, serves', async () => {
    class Fine extends BaseHTTPRequestHandler {
      doGET(): void {
        this.doSomething();
      }
      doSomething(): void {
        answer(this, 'ok');
      }
    }
    await withServer(Fine, {}, async (s) => {
      assert.equal((await curl(s.port, '/')).body, 'ok');
    });
  });
});

describe('Allow and CORS preflights list what the handler class implements', () => {
  class Upload extends SimpleHTTPRequestHandler.with({ directory: root }) {
    doPOST(): void {
      answer(this, 'posted');
    }
  }
  class UploadCors extends SimpleHTTPRequestHandler.with({ directory: root, cors: true }) {
    doPOST(): void {
      answer(this, 'posted');
    }
    doDELETE(): void {
      answer(this, 'deleted');
    }
  }

  it('a 405 names the subclass’s doPOST', async () => {
    await withServer(Upload, {}, async (s) => {
      assert.equal((await curl(s.port, '/hello.txt', '-d', 'x')).body, 'posted');
      const put = await curl(s.port, '/hello.txt', '-X', 'PUT', '-d', 'x');
      assert.equal(put.status, 405);
      assert.equal(put.fields.get('allow'), 'GET, HEAD, POST');
      // Without cors, OPTIONS is no method of a file server, and the 405 to it says so.
      const options = await curl(s.port, '/hello.txt', '-X', 'OPTIONS');
      assert.equal(options.status, 405);
      assert.equal(options.fields.get('allow'), 'GET, HEAD, POST');
    });
  });

  it('the preflight’s Access-Control-Allow-Methods and Allow are the same list', async () => {
    await withServer(UploadCors, {}, async (s) => {
      const pre = await curl(
        s.port,
        '/hello.txt',
        '-X',
        'OPTIONS',
        '-H',
        'Origin: http://a.example',
        '-H',
        'Access-Control-Request-Method: DELETE',
      );
      assert.equal(pre.status, 204);
      assert.equal(pre.fields.get('access-control-allow-methods'), 'GET, HEAD, DELETE, OPTIONS, POST');
      assert.equal(pre.fields.get('allow'), 'GET, HEAD, DELETE, OPTIONS, POST');
      const put = await curl(s.port, '/hello.txt', '-X', 'PUT', '-d', 'x');
      assert.equal(put.fields.get('allow'), 'GET, HEAD, DELETE, OPTIONS, POST');
    });
  });

  it('a plain handler’s list is its own do<METHOD>s', async () => {
    class Api extends BaseHTTPRequestHandler {
      doPUT(): void {
        answer(this, 'put');
      }
      doGET(): void {
        answer(this, 'got');
      }
      override unsupportedMethod(): void {
        this.sendResponse(405);
        this.sendHeader('Allow', this.allowedMethods().join(', '));
        this.sendHeader('Content-Length', 0);
        this.endHeaders();
      }
    }
    await withServer(Api, {}, async (s) => {
      assert.equal((await curl(s.port, '/', '-X', 'DELETE')).fields.get('allow'), 'GET, PUT');
    });
  });
});

describe('cacheSeconds applies to what the file server serves', () => {
  class Site extends SimpleHTTPRequestHandler.with({ directory: root, cacheSeconds: 60 }) {
    override async doGET(): Promise<void> {
      if (this.path === '/api/status') answer(this, '{"ok":true}');
      else await super.doGET();
    }
  }

  it('a file gets max-age; a route of the subclass’s own gets none', async () => {
    await withServer(Site, {}, async (s) => {
      assert.equal((await curl(s.port, '/hello.txt')).fields.get('cache-control'), 'max-age=60');
      const api = await curl(s.port, '/api/status');
      assert.equal(api.body, '{"ok":true}');
      assert.equal(api.fields.get('cache-control'), undefined);
    });
  });
});

describe('cacheControl(): the file server’s Cache-Control, per path', () => {
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>\n');
  class Site extends SimpleHTTPRequestHandler.with({ directory: root, cacheSeconds: 31536000 }) {
    override cacheControl(): string | null {
      return this.path.endsWith('.html') || this.path.endsWith('/') ? 'no-cache' : super.cacheControl();
    }
  }

  it('an override chooses per path; the rest keep cacheSeconds', async () => {
    await withServer(Site, {}, async (s) => {
      assert.equal((await curl(s.port, '/index.html')).fields.get('cache-control'), 'no-cache');
      assert.equal((await curl(s.port, '/')).fields.get('cache-control'), 'no-cache');
      assert.equal((await curl(s.port, '/hello.txt')).fields.get('cache-control'), 'max-age=31536000');
      const missing = await curl(s.port, '/missing.txt');
      assert.equal(missing.status, 404);
      assert.equal(missing.fields.get('cache-control'), undefined);
    });
  });
});

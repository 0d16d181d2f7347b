import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { translatePath } from '../../src/handlers/static/translate-path.js';

describe('translatePath', () => {
  const root = '/srv/www';
  const fs = (p: string): string | null => translatePath(p, root)?.fsPath ?? null;

  it('maps URL paths under the root, dropping query and fragment', () => {
    assert.equal(fs('/a/b.txt?x=1#frag'), '/srv/www/a/b.txt');
    assert.equal(fs('/'), '/srv/www');
    assert.equal(fs('/name%20with%20spaces.txt'), '/srv/www/name with spaces.txt');
    assert.equal(fs('/caf%C3%A9.txt'), '/srv/www/caf\u00e9.txt');
  });

  it('never leaves the root, whatever the encoding', () => {
    for (const p of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc/passwd',
      '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '//etc/passwd',
      '/a/../../../etc/passwd',
      '/./././../etc/passwd',
    ]) {
      const out = fs(p);
      assert.ok(out !== null && (out === root || out.startsWith(`${root}/`)), `${p} → ${out}`);
      assert.equal(out, '/srv/www/etc/passwd', p);
    }
  });

  it('keeps a backslash in the name on POSIX, as Python: `..\\` is then no way out', () => {
    assert.equal(path.sep, '/', 'these expectations are for POSIX');
    for (const [p, name] of [
      ['/..%5c..%5cetc/passwd', '..\\..\\etc'],
      ['/\\..\\..\\etc\\passwd', '\\..\\..\\etc\\passwd'],
      ['/back%5Cslash.txt', 'back\\slash.txt'],
    ]) {
      const t = translatePath(p!, root)!;
      assert.equal(t.segments[0], name, p);
      assert.ok(t.fsPath.startsWith(`${root}/`), `${p} → ${t.fsPath}`);
    }
  });

  it('reports a trailing slash, also an encoded one', () => {
    assert.equal(translatePath('/dir/', root)?.trailingSlash, true);
    assert.equal(translatePath('/file.txt%2f', root)?.trailingSlash, true);
    assert.equal(translatePath('/file.txt', root)?.trailingSlash, false);
  });

  it('refuses NUL bytes and malformed percent-encoding', () => {
    assert.equal(translatePath('/a%00.txt', root), null);
    assert.equal(translatePath('/%ff', root), null);
    assert.equal(translatePath('/%zz', root), null);
  });
});

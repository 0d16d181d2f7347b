import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathEnd, pathSegments, targetPath, targetQuery } from '../../src/protocol/target-path.js';

describe('the path of a request target and its decoded segments', () => {
  it('cuts the path at the first ? or #, whichever comes first', () => {
    const cases: Array<[string, string]> = [
      ['/a/b', '/a/b'],
      ['/a/b?x=1', '/a/b'],
      ['/a/b#frag', '/a/b'],
      ['/a?x=/../#y', '/a'],
      ['/a#x?y', '/a'],
      ['/?', '/'],
      ['?x', ''],
      ['', ''],
    ];
    for (const [target, path] of cases) {
      assert.equal(targetPath(target), path, target);
      assert.equal(pathEnd(target), path.length, target);
    }
  });

  it('takes the query from the ? that ends the path up to a #; none when the ? is inside the fragment', () => {
    const cases: Array<[string, string]> = [
      ['/a', ''],
      ['/a?', ''],
      ['/a?x=1&y=2', 'x=1&y=2'],
      ['/a?x=1#frag', 'x=1'],
      ['/a?x=?#y#z', 'x=?'],
      ['/a#x?y=1', ''],
      ['/a#', ''],
      ['?x', 'x'],
    ];
    for (const [target, query] of cases) assert.equal(targetQuery(target), query, target);
  });

  it('decodes %2e in either case, so encoded dot segments are seen', () => {
    assert.deepEqual(pathSegments('/a/%2e/b', false), ['', 'a', '.', 'b']);
    assert.deepEqual(pathSegments('/a/%2E%2e/b', false), ['', 'a', '..', 'b']);
    assert.deepEqual(pathSegments('/a/.%2E', false), ['', 'a', '..']);
  });

  it('decodes %2f before splitting: ..%2f is a .. segment, as a decoding backend reads it', () => {
    assert.deepEqual(pathSegments('/a/..%2fb', false), ['', 'a', '..', 'b']);
    assert.deepEqual(pathSegments('/a/..%2F', false), ['', 'a', '..', '']);
  });

  it('splits on a backslash, raw or %5c, only when the caller says it separates', () => {
    assert.deepEqual(pathSegments('/a/..%5cb', false), ['', 'a', '..\\b']);
    assert.deepEqual(pathSegments('/a/..%5Cb', true), ['', 'a', '..', 'b']);
    assert.deepEqual(pathSegments('/a\\..\\b', true), ['', 'a', '..', 'b']);
    assert.deepEqual(pathSegments('/a\\..\\b', false), ['', 'a\\..\\b']);
  });

  it('keeps empty segments: leading, doubled and trailing slashes', () => {
    assert.deepEqual(pathSegments('/', false), ['', '']);
    assert.deepEqual(pathSegments('//a//', false), ['', '', 'a', '', '']);
    assert.deepEqual(pathSegments('', false), ['']);
  });

  it('decodes UTF-8', () => {
    assert.deepEqual(pathSegments('/caf%C3%A9/%E2%82%AC', false), ['', 'caf\u00e9', '\u20ac']);
    assert.deepEqual(pathSegments('/%F0%9F%98%80', false), ['', '\u{1f600}']);
  });

  it('is null for a path that cannot be decoded: bad escape, cut escape, bytes that are not UTF-8', () => {
    for (const bad of ['/%zz', '/a%', '/a%2', '/%C3', '/%E9t%E9', '/%ED%A0%80', '/%2e%2e/%ff'])
      assert.equal(pathSegments(bad, false), null, bad);
  });
});

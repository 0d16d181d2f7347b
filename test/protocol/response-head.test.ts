import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderValueError, formatHttpDate, parseHttpDate } from '../../src/index.js';
import { fieldLine, statusLine } from '../../src/protocol/response-head.js';
import { responseHasBody } from '../../src/protocol/framing.js';

describe('response head serialising', () => {
  it('formats field lines and refuses what would split or corrupt the response', () => {
    assert.equal(fieldLine('Content-Type', 'text/plain'), 'Content-Type: text/plain\r\n');
    assert.equal(fieldLine('X-Latin', 'caf\u00e9'), 'X-Latin: caf\u00e9\r\n');
    for (const [name, value] of [
      ['X-Bad', 'a\r\nSet-Cookie: x'],
      ['X-Bad', 'a\nb'],
      ['X-Bad', 'a\rb'],
      ['X-Bad', 'a\0b'],
      ['X-Bad', 'snow \u2603'],
      ['Bad Name', 'v'],
      ['Bad:Name', 'v'],
      ['', 'v'],
      ['X-\r\nInjected', 'v'],
    ]) {
      assert.throws(
        () => fieldLine(name!, value!),
        HeaderValueError,
        `${JSON.stringify(name)}: ${JSON.stringify(value)}`,
      );
    }
  });

  it('formats status lines, neutralising line breaks in the reason phrase', () => {
    assert.equal(statusLine('HTTP/1.1', 200, 'OK'), 'HTTP/1.1 200 OK\r\n');
    assert.equal(statusLine('HTTP/1.1', 400, 'Bad\r\nX: y'), 'HTTP/1.1 400 Bad  X: y\r\n');
    assert.equal(statusLine('HTTP/1.1', 500, 'snow \u2603'), 'HTTP/1.1 500 snow ?\r\n');
    assert.throws(() => statusLine('HTTP/1.1', 99, 'x'), RangeError);
    assert.throws(() => statusLine('HTTP/1.1', 1000, 'x'), RangeError);
  });

  it('knows which responses carry no body', () => {
    assert.equal(responseHasBody('GET', 200), true);
    assert.equal(responseHasBody('HEAD', 200), false);
    for (const status of [100, 101, 204, 304]) assert.equal(responseHasBody('GET', status), false);
  });
});

describe('HTTP dates', () => {
  it('formats IMF-fixdate', () => {
    assert.equal(formatHttpDate(Date.UTC(1994, 10, 6, 8, 49, 37)), 'Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('parses the three forms RFC 9110 requires, and nothing else', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), t);
    for (const bad of [
      '',
      'yesterday',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
      '1994-11-06',
    ]) {
      assert.ok(Number.isNaN(parseHttpDate(bad)), bad);
    }
  });
});

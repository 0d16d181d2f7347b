import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFieldValue, isToken, splitList } from '../../src/protocol/tokens.js';

describe('token and list rules (RFC 9110 §5.6)', () => {
  it('splitList: trimmed members in order, empty members dropped (§5.6.1)', () => {
    const cases: Array<[string, string[]]> = [
      ['keep-alive', ['keep-alive']],
      ['  close  ', ['close']],
      ['a, b,c', ['a', 'b', 'c']],
      [',,a , ,b,', ['a', 'b']],
      ['', []],
      [' , ', []],
      ['gzip;q=1.0, identity; q=0.5', ['gzip;q=1.0', 'identity; q=0.5']],
    ];
    for (const [value, members] of cases) assert.deepEqual(splitList(value), members, JSON.stringify(value));
  });

  it('isToken refuses empty names, separators and characters past Latin-1', () => {
    assert.equal(isToken('X-Custom_1.2~'), true);
    for (const bad of ['', 'a b', 'a:b', 'a"b', 'caf\u00e9', 'a\u0100'])
      assert.equal(isToken(bad), false, bad);
  });

  it('isFieldValue allows HTAB and obs-text, refuses CR, LF, NUL, DEL and non-Latin-1', () => {
    assert.equal(isFieldValue('a\tb caf\u00e9'), true);
    for (const bad of ['a\rb', 'a\nb', 'a\0b', 'a\x7fb', '\u2028']) assert.equal(isFieldValue(bad), false);
  });
});

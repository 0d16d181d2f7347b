import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesMediaType, weightedMembers } from '../../src/protocol/weighted-lists.js';

describe('weighted list fields (RFC 9110 §12.4.2)', () => {
  it('reads members in order, lowercased, without their parameters, weight 1 when none is given', () => {
    assert.deepEqual(weightedMembers('Text/HTML;level=1, application/xhtml+xml ; q=0.9,*/*;Q=0.8'), [
      { value: 'text/html', q: 1 },
      { value: 'application/xhtml+xml', q: 0.9 },
      { value: '*/*', q: 0.8 },
    ]);
    assert.deepEqual(weightedMembers('gzip, , br;q=1.000, identity;q=0'), [
      { value: 'gzip', q: 1 },
      { value: 'br', q: 1 },
      { value: 'identity', q: 0 },
    ]);
    assert.deepEqual(weightedMembers(undefined), []);
    assert.deepEqual(weightedMembers(''), []);
  });

  it('takes a weight that is no qvalue as 0: nothing the client may not want is sent', () => {
    for (const q of ['abc', '2', '1.5', '0.1234', '-1', '', '.5', '1.001'])
      assert.equal(weightedMembers(`gzip;q=${q}`)[0]!.q, 0, q);
    for (const [q, n] of [
      ['0', 0],
      ['0.', 0],
      ['0.005', 0.005],
      ['1.', 1],
      ['1.000', 1],
    ] as const)
      assert.equal(weightedMembers(`gzip;q=${q}`)[0]!.q, n, q);
  });

  it('names a media type only when the type itself is listed with a weight above 0', () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    assert.equal(namesMediaType(browser, 'text/html'), true);
    assert.equal(namesMediaType('*/*', 'text/html'), false);
    assert.equal(namesMediaType('text/*', 'text/html'), false);
    assert.equal(namesMediaType('text/html;q=0, */*', 'text/html'), false);
    assert.equal(namesMediaType('text/html;q=0, */*', '*/*'), true);
    assert.equal(namesMediaType('application/json-seq', 'application/json'), false);
    assert.equal(namesMediaType('TEXT/HTML ; charset=utf-8', 'text/html'), true);
    assert.equal(namesMediaType(undefined, 'text/html'), false);
  });
});

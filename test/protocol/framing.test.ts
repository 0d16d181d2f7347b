import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSE,
  CONNECTION_KEEP_ALIVE,
  FramingField,
  connectionTokens,
  framingField,
  lastTransferCoding,
  parseContentLength,
  persists,
  responseHasBody,
  statusAllowsContent,
} from '../../src/protocol/framing.js';

describe('framing rules shared by both roles', () => {
  it('Content-Length: one decimal, or a list of the same one; anything else is -1', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['42', 42],
      [' 42\t', 42],
      ['42, 42', 42],
      ['42,42,42', 42],
      ['9007199254740991', Number.MAX_SAFE_INTEGER],
      ['9007199254740992', -1],
      ['42, 43', -1],
      ['42,', -1],
      [',42', -1],
      ['', -1],
      ['+42', -1],
      ['-1', -1],
      ['4 2', -1],
      ['0x10', -1],
      ['1e3', -1],
    ];
    for (const [value, length] of cases)
      assert.equal(parseContentLength(value), length, JSON.stringify(value));
  });

  it('Connection: tokens, not substrings; close wins over keep-alive in any order', () => {
    assert.equal(connectionTokens('close'), CONNECTION_CLOSE);
    assert.equal(connectionTokens('Keep-Alive'), CONNECTION_KEEP_ALIVE);
    assert.equal(connectionTokens('Upgrade, close'), CONNECTION_CLOSE);
    assert.equal(connectionTokens('x-closed, keep-alives'), 0);
    for (const value of ['close, keep-alive', 'keep-alive, close']) {
      assert.equal(persists(0, connectionTokens(value)), false, value);
      assert.equal(persists(1, connectionTokens(value)), false, value);
    }
    assert.equal(persists(1, 0), true);
    assert.equal(persists(0, 0), false);
    assert.equal(persists(0, connectionTokens('keep-alive')), true);
  });

  it('the last transfer coding decides chunked', () => {
    assert.equal(lastTransferCoding('gzip, Chunked'), 'chunked');
    assert.equal(lastTransferCoding('chunked, gzip'), 'gzip');
    assert.equal(lastTransferCoding(' , '), null);
  });

  it('which responses have a body, and which may carry content (205 may not)', () => {
    assert.equal(responseHasBody('GET', 205), true); // framed as usual when read
    assert.equal(statusAllowsContent(205), false); // but a server sends none
    for (const status of [100, 204, 304]) {
      assert.equal(responseHasBody('GET', status), false);
      assert.equal(statusAllowsContent(status), false);
    }
    assert.equal(responseHasBody('HEAD', 200), false);
    assert.equal(statusAllowsContent(200), true);
  });

  it('framing fields are recognised in any case, other names are not', () => {
    assert.equal(framingField('Content-Length'), FramingField.ContentLength);
    assert.equal(framingField('content-LENGTH'), FramingField.ContentLength);
    assert.equal(framingField('TRANSFER-ENCODING'), FramingField.TransferEncoding);
    assert.equal(framingField('connection'), FramingField.Connection);
    assert.equal(framingField('Host'), FramingField.Host);
    assert.equal(framingField('expect'), FramingField.Expect);
    assert.equal(framingField('Content-Type'), FramingField.Other);
    assert.equal(framingField('Connectiom'), FramingField.Other);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaType } from '../../src/protocol/media-type.js';
import { isCompressible } from '../../src/handlers/static/content-type.js';
import { isHtmlType } from '../../src/handlers/static/live-reload/inject.js';

test('mediaType: lowercased, without parameters or surrounding whitespace; empty when absent', () => {
  assert.equal(mediaType('Text/HTML; charset=utf-8'), 'text/html');
  assert.equal(mediaType(' application/json '), 'application/json');
  assert.equal(mediaType('text/html ;q=0.9'), 'text/html');
  assert.equal(mediaType('gzip;q=1'), 'gzip');
  assert.equal(mediaType('text/html;'), 'text/html');
  assert.equal(mediaType(''), '');
  assert.equal(mediaType(undefined), '');
});

test('isHtmlType reads the media type, not a prefix of it', () => {
  for (const type of ['text/html', 'TEXT/HTML; charset=utf-8', 'text/html ;charset=utf-8'])
    assert.equal(isHtmlType(type), true, type);
  for (const type of ['text/htmlx', 'text/plain', 'application/xhtml+xml', ''])
    assert.equal(isHtmlType(type), false, type);
});

test('isCompressible reads the media type, in any case', () => {
  for (const type of ['image/svg+xml', 'Image/SVG+XML', 'text/css; charset=utf-8', 'application/wasm'])
    assert.equal(isCompressible(type), true, type);
  for (const type of ['image/png', 'application/zip', 'video/mp4'])
    assert.equal(isCompressible(type), false, type);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BODY_END, RequestReader } from '../../src/protocol/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Reads what `reader` holds to the end of its message; the pieces are dropped. */
function readToEnd(reader: RequestReader): void {
  assert.notEqual(reader.readHead(), null);
  for (let piece = reader.readBody(); piece !== BODY_END; piece = reader.readBody()) {
    assert.notEqual(piece, null);
  }
}

/**
 * Whether `reader` still holds the chunk `request` came in after reading one message from it: a WeakRef is
 * cleared by a full GC only once no one references the chunk (and only after the turn that made the WeakRef).
 */
async function chunkHeld(reader: RequestReader, request: string): Promise<boolean> {
  const ref = (() => {
    const chunk = Buffer.from(request);
    reader.push(chunk);
    readToEnd(reader);
    return new WeakRef(chunk);
  })();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() !== undefined;
}

describe('an idle connection holds no request bytes', () => {
  const reader = new RequestReader();

  it('lets go of the received chunk once a head without a body is read from it', async () => {
    const request = 'GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n';
    assert.equal(await chunkHeld(reader, request), false);
  });

  it('lets go of it once a body is read to its end, by length or chunked with trailers', async () => {
    for (const request of [
      'POST /form HTTP/1.1\r\nHost: example\r\nContent-Length: 5\r\n\r\nhello',
      'POST /up HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n',
    ]) {
      assert.equal(await chunkHeld(reader, request), false, request);
    }
  });

  it('keeps a pipelined request that is not read yet, and reads it whole', async () => {
    const two = 'GET /a HTTP/1.1\r\nHost: example\r\n\r\nGET /b HTTP/1.1\r\nHost: example\r\n\r\n';
    assert.equal(await chunkHeld(reader, two), true);
    assert.equal(reader.readHead()?.path, '/b');
  });

  it('keeps no slice of the head text for the request line it parsed', () => {
    reader.push(Buffer.from(`GET /${'x'.repeat(100)} HTTP/1.1\r\nHost: example\r\n\r\n`));
    readToEnd(reader);
    for (const field of ['method', 'target', 'requestLine'])
      assert.equal(Reflect.get(reader, field), '', field);
  });
});

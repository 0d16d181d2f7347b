import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';
import { CASES } from './cases.js';
import { Ok } from './ok-handler.js';

describe('RFC 9112 conformance over a socket', () => {
  const ctx = serverForSuite(Ok);
  for (const c of CASES) {
    it(c.name, async () => {
      const r = await exchangeRaw(ctx.port, c.request);
      const list = parseResponses(r.bytes).filter((x) => x.status >= 200); // interim 100s aside
      assert.equal(list[0]?.status, c.status);
      if (c.close) {
        assert.equal(list.length, 1, 'nothing after a refused request is answered');
        assert.equal(r.closed, true);
      } else {
        assert.deepEqual(
          list.map((x) => x.status),
          [200, 200],
          'the request after it is answered too',
        );
      }
    });
  }
});

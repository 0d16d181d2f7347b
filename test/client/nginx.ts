/** nginx as an independent server for the client tests (Debian's nginx-light; `.ci/run` installs it). */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { freePort, startNginx } from '../../bench/lib.js';

/**
 * nginx for the enclosing suite, started before its tests with the `server {}` body `server()` returns (called
 * then, so it can use ports known only by then) and stopped after them. Fails with what to install when
 * nginx is missing.
 */
export function nginxForSuite(
  server: () => string,
  { ssl = false }: { ssl?: boolean } = {},
): { port: number } {
  const running = { port: 0 };
  let nginx: Awaited<ReturnType<typeof startNginx>> = null;
  before(async () => {
    // nginx needs a port number up front; another test may take a free one first, so try a few.
    for (let attempt = 0; attempt < 3 && nginx === null; attempt++) {
      running.port = await freePort();
      try {
        nginx = await startNginx(running.port, server(), { ssl });
        if (nginx === null) break;
      } catch (err) {
        if (attempt === 2) throw err;
      }
    }
    assert.ok(nginx !== null, 'nginx is needed for this test: apt-get install nginx-light (.ci/run does)');
  });
  after(() => nginx?.stop());
  return running;
}

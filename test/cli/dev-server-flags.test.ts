import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/flags.js';
import { parseServeArgs, type ServeArgs } from '../../src/cli/serve-args.js';
import { devServerLines } from '../../src/cli/serve.js';
import { startServe } from '../helpers/serve-process.js';

describe('the dev-server flags together', () => {
  it('--proxy, --live and --upload with --app are usage errors naming each (they would do nothing)', () => {
    for (const [flags, named] of [
      [['--live'], '--live'],
      [['--upload'], '--upload'],
      [['--proxy', '/api=http://127.0.0.1:1'], '--proxy'],
      [['--live', '--upload'], '--live, --upload'],
    ] as const) {
      assert.throws(
        () => parseServeArgs([...flags, '--app', 'app.js']),
        (err: Error) =>
          err instanceof UsageError && err.message === `${named} go with the file server: not with --app`,
      );
    }
    assert.equal((parseServeArgs(['--open', '--app', 'app.js']) as ServeArgs).open, true);
  });

  it('the banner says what they turned on, a line each; nothing without them', async (t) => {
    assert.equal(devServerLines(parseServeArgs([]) as ServeArgs), '');
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-dev-'));
    const args = [
      '-b',
      '127.0.0.1',
      '-d',
      dir,
      '--live',
      '--upload',
      '--proxy',
      '/api/=http://127.0.0.1:9/v1/',
    ];
    const server = await startServe(t, [...args, '0'], {}, /\nUploads: .*\n/);
    assert.equal(await server.stop(), 0);
    const banner = server.out().split('\n').slice(2, 5);
    assert.deepEqual(banner, [
      'Proxy: /api/ → http://127.0.0.1:9/v1/',
      `Live reload: open pages reload when files under ${dir} change`,
      `Uploads: PUT and the listing's form write under ${dir}`,
    ]);
  });
});

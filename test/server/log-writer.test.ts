import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import { LogWriter } from '../../src/server/log-writer.js';

it('a stalled log stream does not grow memory: lines past the bound are dropped and counted', () => {
  const written: string[] = [];
  const stream = Object.assign(new EventEmitter(), {
    write(text: string): boolean {
      written.push(text);
      return false; // backed up, as a pipe nobody reads
    },
  }) as unknown as NodeJS.WritableStream;
  const log = new LogWriter(stream);
  log.write('first\n');
  log.flush();
  assert.deepEqual(written, ['first\n']);
  const line = `${'x'.repeat(99)}\n`;
  for (let i = 0; i < 100_000; i++) log.write(line); // 10 MB offered while blocked
  log.flush();
  assert.equal(written.length, 1, 'nothing is written while the stream is backed up');
  stream.emit('drain');
  assert.equal(written.length, 2);
  assert.ok(written[1]!.length <= 4 * 1024 * 1024 + 200, `held ${written[1]!.length} bytes`);
  assert.match(written[1]!, /\[\d+ log lines dropped: the log stream was not keeping up\]\n$/);
});

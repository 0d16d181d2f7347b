import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import { LogWriter } from '../../src/server/log-writer.js';
import { startExample } from '../helpers/example.js';
import { exchangeRaw, parseResponses } from '../helpers/server.js';

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

it('a log stream that fails (EPIPE) stops the log, not the server', () => {
  const stream = Object.assign(new EventEmitter(), {
    written: [] as string[],
    write(text: string): boolean {
      this.written.push(text);
      return true;
    },
  });
  const log = new LogWriter(stream as unknown as NodeJS.WritableStream);
  log.write('one\n');
  log.flush();
  stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); // would throw unheard
  log.write('two\n');
  log.flush();
  assert.deepEqual(stream.written, ['one\n']);
  log.close();
  assert.equal(stream.listenerCount('error'), 0, 'a stopped server lets go of the stream');
});

it('the hello example keeps serving after the reader of its stderr goes away', async () => {
  const hello = await startExample('hello');
  try {
    hello.closeStderr(); // the log's reader is gone: the next log write gets EPIPE
    for (let i = 0; i < 5; i++) {
      const r = await exchangeRaw(hello.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      assert.equal(parseResponses(r.bytes)[0]?.body.toString(), 'Hello, World!', `request ${i}`);
      await new Promise((r) => setTimeout(r, 20)); // a turn for the batched log write to fail
    }
    assert.equal(hello.alive(), true, 'the server is still running');
  } finally {
    hello.stop();
  }
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { sendFileRange } from '../../src/handlers/static/file-stream.js';
import { withServer } from '../helpers/server.js';

const run = promisify(execFile);
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The file server reads a large file's next chunk into the buffer it just wrote from as soon as the kernel
 * took that write whole. Were a buffer read into while its bytes still waited to go out, the client would
 * get later bytes in their place: content that differs all along the file shows that, where zeros would not.
 */
describe('a large file reaches the client byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-large-bytes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Past 8 MiB a client that keeps up gets chunks growing to 1 MiB: every buffer size is exercised.
  const content = randomBytes(24 * 1024 * 1024);
  writeFileSync(join(dir, 'random.bin'), content);
  const Handler = SimpleHTTPRequestHandler.with({ directory: dir, quiet: true });

  /** A sink that keeps the chunks it is given, views and all, as a socket keeps bytes it has yet to send. */
  function keepingSink(): { out: Writable; kept: Buffer[] } {
    const kept: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        kept.push(chunk);
        done();
      },
    });
    return { out, kept };
  }

  it('never reads into a buffer whose bytes the socket still holds', async () => {
    const { out, kept } = keepingSink();
    // The sink has room, but the socket under it says bytes are still queued after every write.
    await sendFileRange(join(dir, 'random.bin'), 0, content.length - 1, out, { writableLength: 1 });
    assert.equal(sha256(Buffer.concat(kept)), sha256(content));
  });

  it('reads into the same buffer again once the socket took every byte', async () => {
    const { out, kept } = keepingSink();
    const size = 4 * 1024 * 1024; // below the size where chunks grow: one buffer serves the whole range
    await sendFileRange(join(dir, 'random.bin'), 0, size - 1, out, { writableLength: 0 });
    assert.ok(kept.length > 1);
    assert.equal(new Set(kept.map((chunk) => chunk.buffer)).size, 1);
  });

  it('to curl reading as fast as it can, whole and as a range', async () => {
    await withServer(Handler, { logStream: null }, async ({ port }) => {
      const whole = join(dir, 'whole.out');
      await run('curl', ['-sS', '-o', whole, `http://127.0.0.1:${port}/random.bin`]);
      assert.equal(sha256(readFileSync(whole)), sha256(content));
      const part = join(dir, 'part.out');
      const [from, to] = [3_000_001, 19_999_999];
      await run('curl', ['-sS', '-r', `${from}-${to}`, '-o', part, `http://127.0.0.1:${port}/random.bin`]);
      assert.equal(sha256(readFileSync(part)), sha256(content.subarray(from, to + 1)));
    });
  });

  it('to a client that reads in bursts, so the socket backs up and drains again and again', async () => {
    await withServer(Handler, { logStream: null }, async ({ port }) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.write('GET /random.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const chunks: Buffer[] = [];
      let sincePause = 0;
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        sincePause += chunk.length;
        if (sincePause >= 2 * 1024 * 1024) {
          sincePause = 0;
          await sleep(20); // the iterator stops reading meanwhile: the server's writes back up
        }
      }
      const received = Buffer.concat(chunks);
      const bodyStart = received.indexOf('\r\n\r\n') + 4;
      assert.match(received.subarray(0, bodyStart).toString('latin1'), /^HTTP\/1\.1 200 /);
      assert.equal(received.length - bodyStart, content.length);
      assert.equal(sha256(received.subarray(bodyStart)), sha256(content));
    });
  });
});

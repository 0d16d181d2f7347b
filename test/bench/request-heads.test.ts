/**
 * The bare responders of `npm run bench` are the ceilings the benchmark reads basehttp against: they must
 * answer every request once, however its bytes are cut into reads, or a ceiling could count answers it never
 * sent (or stall a client that sent a request in pieces).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requestHeads } from '../../bench/peers/request-heads.js';
import { eventually, received } from '../helpers/wait.js';

const BARE_FILES = fileURLToPath(new URL('../../bench/peers/bare-files.js', import.meta.url));

/** The heads `requestHeads` reports for `chunks`, as the text from each head's start to its end. */
function headsOf(chunks: string[]): string[] {
  const heads: string[] = [];
  const onData = requestHeads((data, start, end) => heads.push(data.toString('latin1', start, end)));
  for (const chunk of chunks) onData(Buffer.from(chunk, 'latin1'));
  return heads;
}

test('requestHeads: every head of a read, each once', () => {
  assert.deepEqual(headsOf(['GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n']), [
    'GET /a HTTP/1.1',
    'GET /b HTTP/1.1\r\nHost: x',
  ]);
});

test('requestHeads: a head cut anywhere, even inside its \\r\\n\\r\\n, is reported once its end arrives', () => {
  const request = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
  for (let cut = 1; cut < request.length; cut++) {
    assert.deepEqual(
      headsOf([request.slice(0, cut), request.slice(cut)]),
      ['GET /a HTTP/1.1\r\nHost: x'],
      `cut at ${cut}`,
    );
  }
  assert.deepEqual(headsOf([...request]), ['GET /a HTTP/1.1\r\nHost: x'], 'one byte a read');
  assert.deepEqual(headsOf(['GET /a HTTP/1.1\r\n\r\nGET /b', ' HTTP/1.1\r\n\r', '\n']), [
    'GET /a HTTP/1.1',
    'GET /b HTTP/1.1',
  ]);
  assert.deepEqual(headsOf(['GET /a HTTP/1.1\r\n']), [], 'an unfinished head is not reported');
});

test('bare-files answers a request sent a byte at a time, and two in one write, over a real socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bare-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'small.txt'), 'twelve bytes');
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(
    process.execPath,
    [BARE_FILES, '--port', String(port), '--dir', dir, '--fields', '[]'],
    {
      stdio: 'ignore',
    },
  );
  t.after(() => void child.kill('SIGKILL'));
  let socket!: net.Socket;
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          socket = s;
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    `bare-files listening on ${port}`,
  );
  t.after(() => void socket.destroy());
  const got = received(socket);
  for (const byte of 'GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n') {
    socket.write(byte);
    await new Promise((r) => setImmediate(r));
  }
  await got.until(/twelve bytes$/);
  socket.write('GET /small.txt HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\n\r\n');
  await got.until(/404 Not Found\r\nContent-Length: 0\r\n\r\n$/);
  const text = got.text();
  assert.equal(text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 2, text);
  assert.equal(text.match(/\r\nContent-Length: 12\r\n/g)?.length, 2, text);
  assert.equal(text.match(/twelve bytes/g)?.length, 2, text);
});

/**
 * The responders `npm run bench` reads basehttp against: the bare ones are ceilings and must answer every
 * request once, however its bytes are cut into reads, or a ceiling could count answers it never sent (or
 * stall a client that sent a request in pieces); the protocol-only one must send basehttp's very bytes, over
 * TCP and over TLS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { requestHeads } from '../../bench/peers/request-heads.js';
import { makeCertificate } from '../helpers/certificate.js';
import { eventually, received } from '../helpers/wait.js';

const BARE_FILES = fileURLToPath(new URL('../../bench/peers/bare-files.js', import.meta.url));
const PROTOCOL_ONLY = fileURLToPath(new URL('../../bench/peers/protocol-only.js', import.meta.url));

/** A port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A socket to a peer that was just started, once it listens. */
async function connectWhenUp(port: number, name: string): Promise<net.Socket> {
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
    `${name} listening on ${port}`,
  );
  return socket;
}

/** Starts a peer (its script and arguments), connects, and sends `request` to it a byte at a time. */
async function startAndSendBytewise(
  t: TestContext,
  name: string,
  args: string[],
  request: string,
): Promise<{ socket: net.Socket; got: ReturnType<typeof received> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [args[0]!, '--port', String(port), ...args.slice(1)], {
    stdio: 'ignore',
  });
  t.after(() => void child.kill('SIGKILL'));
  const socket = await connectWhenUp(port, name);
  t.after(() => void socket.destroy());
  const got = received(socket);
  for (const byte of request) {
    socket.write(byte);
    await new Promise((r) => setImmediate(r));
  }
  return { socket, got };
}

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
  const { socket, got } = await startAndSendBytewise(
    t,
    'bare-files',
    [BARE_FILES, '--dir', dir, '--fields', '[]'],
    'GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  await got.until(/twelve bytes$/);
  socket.write('GET /small.txt HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\n\r\n');
  await got.until(/404 Not Found\r\nContent-Length: 0\r\n\r\n$/);
  const text = got.text();
  assert.equal(text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 2, text);
  assert.equal(text.match(/\r\nContent-Length: 12\r\n/g)?.length, 2, text);
  assert.equal(text.match(/twelve bytes/g)?.length, 2, text);
});

test('protocol-only sends the sample answer, its Date current, to every request however it is cut', async (t) => {
  const sample =
    'HTTP/1.1 200 OK\r\nServer: basehttp/0 Node.js/0\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!';
  const response = Buffer.from(sample).toString('base64');
  const { socket, got } = await startAndSendBytewise(
    t,
    'protocol-only',
    [PROTOCOL_ONLY, '--response', response],
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await got.until(/(Hello, World!.*){3}/s);
  const answers = got.text().split(/(?<=Hello, World!)/);
  assert.equal(answers.length, 3, got.text());
  for (const answer of answers) {
    const date = /\r\nDate: ([^\r]+)\r\n/.exec(answer)![1]!;
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 5000, date);
    assert.equal(answer, sample.replace('Thu, 01 Jan 1970 00:00:00 GMT', date));
  }
});

test('protocol-only over TLS sends the sample answer to requests cut anywhere and sent together', async (t) => {
  const { dir, cert, key } = makeCertificate();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const body = 'x'.repeat(1024);
  const sample =
    'HTTP/1.1 200 OK\r\nServer: basehttp/0 Node.js/0\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n' +
    `Content-Length: 1024\r\n\r\n${body}`;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [PROTOCOL_ONLY, '--port', String(port), '--cert', cert, '--key', key, '--response', btoa(sample)],
    { stdio: 'ignore' },
  );
  t.after(() => void child.kill('SIGKILL'));
  await connectWhenUp(port, 'protocol-only over TLS').then((probe) => probe.destroy());
  const socket = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(cert), servername: 'localhost' });
  t.after(() => void socket.destroy());
  await once(socket, 'secureConnect');
  const got = received(socket);
  socket.write('GET / HTTP/1.1\r\nHo');
  await new Promise((r) => setTimeout(r, 50));
  socket.write('st: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await got.until(new RegExp(`(${body}.*){3}`, 's'));
  const answers = got.text().split(new RegExp(`(?<=${body})`));
  assert.equal(answers.length, 3, got.text());
  for (const answer of answers) {
    const date = /\r\nDate: ([^\r]+)\r\n/.exec(answer)![1]!;
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 5000, date);
    assert.equal(answer, sample.replace('Thu, 01 Jan 1970 00:00:00 GMT', date));
  }
});

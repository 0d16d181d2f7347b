import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exchangeRaw, parseResponses } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

const hello = fileURLToPath(new URL('../../examples/hello.js', import.meta.url));

it('running out of file descriptors does not take the server down', async () => {
  const child = spawn('sh', ['-c', `ulimit -n 256; exec "${process.execPath}" "${hello}" --port 0`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    // Port 0 picks a free port; the example prints the one it got.
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(/:(\d+)\/$/m.exec(d.toString())?.[1])));
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    });
    // 400 connections against 256 descriptors (fewer would not load the package: Node's ESM loader reads
    // its modules in parallel): libuv accepts what fits and closes the rest at once.
    let answered = 0;
    let cut = 0;
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 400; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.once('data', () => answered++);
      s.once('close', () => cut++);
      s.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
      sockets.push(s);
    }
    // Every connection answered or cut (or the server gone): it has been through all of them.
    await eventually(
      () => answered + cut >= 400 || child.exitCode !== null,
      () => `all 400 connections answered or cut (answered ${answered}, cut ${cut})`,
    );
    assert.equal(child.exitCode, null, `the server died: ${stderr}`);
    assert.ok(answered > 0 && cut > 0, `answered ${answered}, cut ${cut}: the limit was reached`);
    for (const s of sockets) s.destroy();
    // The server closes its ends of them as it reads the client's close: ask until a connection gets through.
    const GET_CLOSE = 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
    let served: Buffer = Buffer.alloc(0);
    await eventually(async () => {
      served = (await exchangeRaw(port, GET_CLOSE, { untilClose: true })).bytes;
      return served.length > 0;
    }, 'a connection served once descriptors free up');
    assert.equal(
      parseResponses(served)[0]!.body.toString(),
      'Hello, World!',
      'it serves again once descriptors free up',
    );
  } finally {
    child.kill();
  }
});

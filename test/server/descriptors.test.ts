import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exchangeRaw, parseResponses } from '../helpers/server.js';

const hello = fileURLToPath(new URL('../../examples/hello.js', import.meta.url));

it('running out of file descriptors does not take the server down', async () => {
  const child = spawn('sh', ['-c', `ulimit -n 128; exec "${process.execPath}" "${hello}" --port 0`], {
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
    // 240 connections against 128 descriptors: libuv accepts what fits and closes the rest at once. (Node's
    // module loader opens the package's files concurrently at start-up: 64 no longer leaves it enough.)
    let answered = 0;
    let cut = 0;
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 240; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.once('data', () => answered++);
      s.once('close', () => cut++);
      s.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(child.exitCode, null, `the server died: ${stderr}`);
    assert.ok(answered > 0 && cut > 0, `answered ${answered}, cut ${cut}: the limit was reached`);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const r = await exchangeRaw(port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    assert.equal(
      parseResponses(r.bytes)[0]!.body.toString(),
      'Hello, World!',
      'it serves again once descriptors free up',
    );
  } finally {
    child.kill();
  }
});

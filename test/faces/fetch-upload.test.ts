import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { within } from './fetch-helpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'basehttp-fetch-upload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SIZE = 50 * 1024 * 1024;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

it('streams a 50 MB upload through the app and back with bounded server memory', async () => {
  const upload = join(dir, 'upload.bin');
  const echoed = join(dir, 'echoed.bin');
  const block = randomBytes(1024 * 1024);
  writeFileSync(upload, Buffer.concat(Array.from({ length: SIZE / block.length }, () => block)));
  const child = spawn(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL('./upload-child.js', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const port = await within(
      new Promise<string>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
      ),
      10_000,
      'the child server',
    );
    const url = `http://127.0.0.1:${port}/`;
    await run('curl', ['-sS', '-X', 'POST', '-T', upload, '-o', echoed, url]);
    assert.equal(await sha256(echoed), await sha256(upload));
    const { stdout } = await run('curl', ['-sS', url]);
    const growth = JSON.parse(stdout) as { rss: number; heap: number; buffers: number };
    // Holding the body would keep its 50 MB alive; streaming holds a few buffers. RSS also counts memory
    // freed but not returned to the system, hence its looser bound.
    assert.ok(
      growth.heap + growth.buffers < 16 * 1024 * 1024,
      `heap and buffers grew ${JSON.stringify(growth)}`,
    );
    assert.ok(growth.rss < 45 * 1024 * 1024, `RSS grew ${growth.rss} bytes`);
  } finally {
    child.kill('SIGTERM');
  }
});

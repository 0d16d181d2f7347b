/**
 * `node serve-and-fetch.js <program.js> <METHOD>`: starts a server program as a user would (`node
 * program.js`, in its own directory, unchanged), finds the port it listens on (whatever the program chose,
 * read from `ss` by its pid), sends it one request over 127.0.0.1 and prints `{ status, body }` as JSON, then
 * stops it. Run by install.test.ts, inside a network namespace of its own where it can make one, so the
 * program's fixed port cannot clash with anything on the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [program, method] = process.argv.slice(2) as [string, string];
const child = spawn(process.execPath, [program], {
  cwd: path.dirname(program),
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));

/** The TCP port the child listens on, once it does; null while it does not (yet). */
function listeningPort(pid: number): number | null {
  const ss = spawnSync('ss', ['-Htlnp'], { encoding: 'utf8' });
  const line = ss.stdout.split('\n').find((l) => l.includes(`pid=${pid},`));
  const m = line === undefined ? null : /:(\d+)\s/.exec(line);
  return m === null ? null : Number(m[1]);
}

try {
  let port: number | null = null;
  for (let i = 0; i < 200 && port === null && child.exitCode === null; i++) {
    await sleep(50);
    port = listeningPort(child.pid!);
  }
  if (port === null) throw new Error(`the program did not listen within 10 s: ${output}`);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const res = await fetch(`http://127.0.0.1:${port}/`, { method, ...(hasBody ? { body: 'hello' } : {}) });
  process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));
} finally {
  child.kill('SIGKILL');
}

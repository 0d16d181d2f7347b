import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseServeArgs, type ServeArgs } from '../../src/cli/serve-args.js';
import { getOnce } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'basehttp-workers-'));
writeFileSync(join(dir, 'a.txt'), 'from a worker\n');
// More than the socket buffers on both sides hold, so a client that stops reading keeps the response in flight.
const HUGE = 64 * 1024 * 1024;
writeFileSync(join(dir, 'huge.bin'), '');
truncateSync(join(dir, 'huge.bin'), HUGE);

interface Cluster {
  child: ChildProcess;
  port: number;
  err: () => string;
  exited: Promise<number | null>;
}

/** Starts `basehttp --workers 2` and waits for its banner and both workers. */
async function startCluster(extra: string[] = [], site = dir): Promise<Cluster> {
  const child = spawn(
    process.execPath,
    [MAIN, '--workers', '2', '-b', '127.0.0.1', '-d', site, ...extra, '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = / port (\d+) .* with 2 workers \.\.\./.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  for (let i = 0; i < 100 && (err.match(/started/g) ?? []).length < 2; i++)
    await new Promise((r) => setTimeout(r, 20));
  return { child, port, err: () => err, exited };
}

const get = getOnce;

/**
 * Starts a download and stops reading once the first bytes arrive, so it stays in flight; `finish()` reads
 * the rest until the server closes, and tells how many body bytes came of the Content-Length declared.
 */
async function startDownload(
  port: number,
  path: string,
): Promise<{ finish: () => Promise<{ declared: number; received: number }> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => {
    socket.on('data', (d) => chunks.push(d));
    socket.once('data', () => {
      socket.pause();
      resolve();
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  });
  return {
    finish: async () => {
      socket.resume();
      await closed;
      const bytes = Buffer.concat(chunks);
      const headEnd = bytes.indexOf('\r\n\r\n') + 4;
      const declared = Number(/content-length: (\d+)/i.exec(bytes.subarray(0, headEnd).toString())?.[1]);
      return { declared, received: bytes.length - headEnd };
    },
  };
}

/**
 * One keep-alive client connection sending GETs back to back, as wrk does: the next request leaves the moment
 * a response is complete. Resolves when the server ends the connection after a `Connection: close` answer or
 * `running()` turns false; a connection that closes while a request waits for its answer is a failure.
 */
function keepAliveSession(
  port: number,
  path: string,
  running: () => boolean,
): Promise<{ ok: number; failure: string | null }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let ok = 0;
    let buffered = Buffer.alloc(0);
    let waiting = false;
    let failure: string | null = null;
    const send = (): void => {
      waiting = true;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`);
    };
    socket.on('connect', send);
    socket.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        waiting = false;
        if (/^HTTP\/1\.1 200 /.test(head)) ok++;
        else failure = head.split('\r\n')[0]!;
        if (/connection: close/i.test(head) || !running()) socket.end();
        else send();
      }
    });
    socket.on('error', (err) => (failure ??= err.message));
    socket.on('close', () => {
      if (waiting) failure ??= 'closed with a request unanswered';
      resolve({ ok, failure });
    });
  });
}

/** `connections` back-to-back keep-alive clients (see keepAliveSession), each reconnecting when closed. */
function keepAliveLoad(
  port: number,
  path: string,
  connections: number,
): { stop: () => Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  const until = Date.now() + 60_000;
  let ok = 0;
  const failures: string[] = [];
  const clients = Array.from({ length: connections }, async () => {
    while (running && Date.now() < until) {
      const r = await keepAliveSession(port, path, () => running && Date.now() < until);
      ok += r.ok;
      if (r.failure !== null) failures.push(r.failure);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return { ok, failures };
    },
  };
}

function waitFor(text: () => string, pattern: RegExp, ms = 10_000): Promise<void> {
  return eventually(
    () => pattern.test(text()),
    () => `${pattern}: ${text()}`,
    ms,
  );
}

describe('basehttp --workers', () => {
  it('takes a count, or 0 / auto for one per core; anything else is a usage error', () => {
    const workers = (value: string): number => (parseServeArgs(['--workers', value]) as ServeArgs).workers;
    assert.equal(workers('3'), 3);
    assert.equal(workers('auto'), availableParallelism());
    assert.equal(workers('0'), availableParallelism());
    assert.throws(() => parseServeArgs(['--workers', 'many']), /expected a number or auto/);
  });

  it('serves from several workers, tags their log lines, and replaces one that dies', async () => {
    const c = await startCluster();
    try {
      for (let i = 0; i < 6; i++) assert.equal(await get(c.port, '/a.txt'), '200 from a worker\n');
      await waitFor(c.err, /\[worker \d\] 127\.0\.0\.1 - - \[.*\] "GET \/a\.txt HTTP\/1\.1" 200 -/);
      const pid = Number(/worker 1 \(pid (\d+)\) started/.exec(c.err())![1]);
      process.kill(pid, 'SIGKILL');
      await waitFor(c.err, /worker 1 \(pid \d+\) died \(SIGKILL\); starting a new one/);
      await waitFor(c.err, /worker 3 \(pid \d+\) started/);
      for (let i = 0; i < 4; i++) assert.equal(await get(c.port, '/a.txt'), '200 from a worker\n');
    } finally {
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0);
    }
  });

  it('SIGHUP replaces the workers one by one while a bounded load loop loses no request', async () => {
    const c = await startCluster();
    try {
      let ok = 0;
      const failures: string[] = [];
      let reloading = true;
      const load = (async () => {
        const until = Date.now() + 15_000;
        while (reloading && Date.now() < until) {
          try {
            const r = await get(c.port, '/a.txt');
            if (r === '200 from a worker\n') ok++;
            else failures.push(r);
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      c.child.kill('SIGHUP');
      await waitFor(c.err, /reload complete/);
      await new Promise((r) => setTimeout(r, 200));
      reloading = false;
      await load;
      assert.deepEqual(failures, []);
      assert.ok(ok > 10, `${ok} requests during the reload`);
      assert.match(c.err(), /worker 4 \(pid \d+\) started/);
    } finally {
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0);
    }
  });

  it('reloads and a SIGTERM to one worker under back-to-back keep-alive load fail no request: idle connections are not cut', async () => {
    const c = await startCluster();
    try {
      const load = keepAliveLoad(c.port, '/a.txt', 8);
      for (let reload = 1; reload <= 3; reload++) {
        await new Promise((r) => setTimeout(r, 150));
        c.child.kill('SIGHUP');
        await waitFor(c.err, new RegExp(`(reload complete[\\s\\S]*){${reload}}`), 20_000);
      }
      // A worker stopped by SIGTERM drains the same way; new connections go to the other worker.
      const pid = Number([...c.err().matchAll(/worker \d+ \(pid (\d+)\) started/g)].at(-1)![1]);
      process.kill(pid, 'SIGTERM');
      await waitFor(c.err, new RegExp(`\\(pid ${pid}\\) died \\(exit 0\\); starting a new one`), 20_000);
      const { ok, failures } = await load.stop();
      assert.deepEqual(failures, []);
      assert.ok(ok > 50, `${ok} requests answered`);
    } finally {
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0);
    }
  });

  it('a reload whose new worker cannot start is abandoned: the running workers keep serving', async () => {
    const site = mkdtempSync(join(tmpdir(), 'basehttp-reload-'));
    writeFileSync(join(site, 'a.txt'), 'still here\n');
    const c = await startCluster([], site);
    try {
      renameSync(site, `${site}.away`); // the new worker finds no directory and exits before listening
      c.child.kill('SIGHUP');
      await waitFor(c.err, /reload abandoned, the running workers stay/);
      renameSync(`${site}.away`, site);
      assert.equal(await get(c.port, '/a.txt'), '200 still here\n');
      c.child.kill('SIGHUP');
      await waitFor(c.err, /reload complete/);
      assert.equal(await get(c.port, '/a.txt'), '200 still here\n');
    } finally {
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0);
    }
  });

  it('SIGTERM lets a download in flight finish, then exits 0', async () => {
    const c = await startCluster();
    const download = await startDownload(c.port, '/huge.bin');
    c.child.kill('SIGTERM');
    // Well within the 5 s deadline, the client takes the rest of the download.
    await new Promise((r) => setTimeout(r, 300));
    const got = await download.finish();
    assert.equal(got.received, HUGE);
    assert.equal(got.declared, HUGE);
    assert.equal(await c.exited, 0);
  });

  it('SIGINT with --shutdown-timeout cuts a download that outlasts the deadline, then exits 0', async () => {
    assert.equal((parseServeArgs(['--shutdown-timeout', '0.2']) as ServeArgs).shutdownTimeout, 200);
    const c = await startCluster(['--shutdown-timeout', '0.2']);
    const download = await startDownload(c.port, '/huge.bin');
    c.child.kill('SIGINT');
    // The client reads nothing until the cluster is gone: the deadline, not the client, ended the response.
    assert.equal(await c.exited, 0);
    const got = await download.finish();
    assert.equal(got.declared, HUGE);
    assert.ok(got.received < HUGE, `${got.received} bytes of ${HUGE}`);
  });

  it('a port in use stops the cluster with exit 1 instead of forking forever', async () => {
    const c = await startCluster();
    try {
      const clash = await run(process.execPath, [
        MAIN,
        '--workers',
        '2',
        '-b',
        '127.0.0.1',
        String(c.port),
      ]).catch((e: { code: number; stderr: string }) => e);
      assert.equal((clash as { code: number }).code, 1);
      assert.match((clash as { stderr: string }).stderr, /address already in use/);
    } finally {
      c.child.kill('SIGTERM');
      await c.exited;
    }
  });
});

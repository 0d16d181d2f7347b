/**
 * Reloads under load: `wrk -t1 -c20` fetches a 1 KiB file over keep-alive while the server is reloaded
 * RELOADS times — `kill -HUP` of `basehttp --workers 2` (each reload waits for its "reload complete") and
 * `nginx -s reload` of nginx with 2 workers (a fixed pause after each). Every request wrk could not complete
 * (read/write/connect errors, timeouts, non-2xx) is a failure; the table gives failures per reload, per
 * server, in rounds alternating order. Unpinned on both cores, as the workers bench.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basehttpArgs, freePort, hasCommand, median, nginxConfig, printTable } from './lib.js';

const ROUNDS = 2;
const RELOADS = 10;
/** Longest wait for one reload to complete before the run is given up. */
const RELOAD_BOUND_MS = 60_000;
/** nginx says nothing when a reload is done: the pause between its reloads. */
const NGINX_PAUSE_MS = 1000;

interface Server {
  url: string;
  /** Reloads once and resolves when the reload is over. */
  reload: () => Promise<void>;
  stop: () => Promise<void>;
}

interface Run {
  failures: number;
  requests: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `url` answers 200, or rejects after 15 s. */
async function answers(url: string): Promise<void> {
  for (const until = Date.now() + 15_000; Date.now() < until; await sleep(100)) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not up yet
    }
  }
  throw new Error(`nothing answers at ${url}`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startBasehttp(port: number, dir: string): Promise<Server> {
  const args = basehttpArgs(dir, port, '--workers', '2');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/small.bin`;
  await answers(url);
  let done = 0;
  return {
    url,
    reload: async () => {
      child.kill('SIGHUP');
      done++;
      for (const until = Date.now() + RELOAD_BOUND_MS; (log.match(/reload complete/g) ?? []).length < done;) {
        if (Date.now() > until)
          throw new Error(`basehttp: reload ${done} did not complete: ${log.slice(-500)}`);
        await sleep(20);
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

async function startNginxMaster(port: number, dir: string): Promise<Server | null> {
  const binary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (binary === undefined) return null;
  const prefix = mkdtempSync(join(tmpdir(), 'basehttp-bench-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConfig(prefix, `127.0.0.1:${port}`, `root ${dir};`, { workers: 2 }));
  const child = spawn(binary, ['-p', prefix, '-c', conf], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/small.bin`;
  await answers(url);
  return {
    url,
    reload: async () => {
      spawnSync(binary, ['-p', prefix, '-c', conf, '-s', 'reload']);
      await sleep(NGINX_PAUSE_MS);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** Runs wrk until told to stop (SIGINT makes it print its totals), reloading RELOADS times meanwhile. */
async function reloadUnderLoad(server: Server): Promise<Run> {
  const load = spawn('wrk', ['-t1', '-c20', '-d300s', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  load.stdout.on('data', (d) => (out += d));
  try {
    await sleep(500);
    for (let i = 0; i < RELOADS; i++) await server.reload();
    await sleep(500);
  } finally {
    load.kill('SIGINT');
    await exited(load);
  }
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const failures = (errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + non2xx;
  return { failures, requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN) };
}

export async function run(): Promise<void> {
  if (!hasCommand('wrk')) {
    console.log('\nreload: needs wrk (apt-get install wrk); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-reload-'));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  chmodSync(dir, 0o755); // nginx's workers may run as another user
  const peers = [
    { name: 'basehttp --workers 2 (kill -HUP)', start: startBasehttp },
    { name: 'nginx, 2 workers (nginx -s reload)', start: startNginxMaster },
  ];
  const results = new Map<string, Run[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const server = await peer.start(await freePort(), dir);
        if (server === null) continue;
        try {
          results.set(peer.name, [...(results.get(peer.name) ?? []), await reloadUnderLoad(server)]);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = [...results].map(([name, runs]) => [
    name,
    runs.map((r) => String(r.failures)).join(' / '),
    median(runs.map((r) => r.failures / RELOADS)),
    median(runs.map((r) => r.requests)),
  ]);
  printTable(
    `reload under load: wrk -t1 -c20 on a 1 KiB file, ${RELOADS} reloads per round, ${ROUNDS} rounds`,
    ['server', 'failed requests per round', 'failed per reload (median)', 'requests per round'],
    rows,
  );
}

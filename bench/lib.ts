/** Shared pieces of `npm run bench`: pinned processes, wrk runs, medians and tables. */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The arguments that run the `basehttp` command serving `dir` quietly on loopback, with `extra` flags and the
 * port last: how every area starts it, so a change of flags cannot leave one area measuring something else.
 */
export function basehttpArgs(dir: string, port: number, ...extra: string[]): string[] {
  return basehttpArgsOf(fileURLToPath(new URL('../..', import.meta.url)), dir, port, ...extra);
}

/** `basehttpArgs` for the build under another checkout `root` (bench/ab.ts compares two). */
export function basehttpArgsOf(root: string, dir: string, port: number, ...extra: string[]): string[] {
  return [
    join(root, 'build/src/cli/main.js'),
    '-b',
    '127.0.0.1',
    '-d',
    dir,
    '--quiet',
    ...extra,
    String(port),
  ];
}

/**
 * A self-signed P-256 certificate for 127.0.0.1 made with openssl in `dir` (cert.pem, key.pem), or null
 * when openssl is missing. Every TLS measurement uses one like it, so ciphers and handshakes match.
 */
export function makeCertificate(dir: string): { cert: string; key: string } | null {
  if (!hasCommand('openssl')) return null;
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * The whole answer a server sends on `socket` (plain or TLS) to one GET of `path`, as it would send it on a
 * kept-alive connection: the bytes the bare responders replay, so they send exactly what basehttp sends.
 */
export async function keptAliveResponse(socket: net.Socket, path: string): Promise<Buffer> {
  socket.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  // Without the Connection: close this request asked for, which a keep-alive request does not get.
  return Buffer.from(Buffer.concat(chunks).toString('latin1').replace('Connection: close\r\n', ''), 'latin1');
}

/** Whether a program is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canPin = hasCommand('taskset');

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the URL's host and port, or rejects after `ms`. */
async function waitForPort(url: string, ms: number): Promise<void> {
  const { hostname, port } = new URL(url);
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing answers at ${url} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Spawns a server pinned to one core (core 0 by default; the load generator gets core 1) and waits until
 * `url` accepts connections. With `ipc`, the child gets an IPC channel (peers that report their memory).
 */
export async function startProcess(
  command: string,
  args: string[],
  {
    url,
    cpu = '0',
    env,
    cwd,
    ipc = false,
  }: { url: string; cpu?: string; env?: NodeJS.ProcessEnv; cwd?: string; ipc?: boolean },
): Promise<{ stop: () => Promise<void>; child: ChildProcess }> {
  const [cmd, argv] = canPin ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
  // stderr goes to a file, not a pipe: wrk runs synchronously, and a server logging into a pipe nobody
  // drains meanwhile (python's http.server logs every request) would stall on a full pipe.
  const logDir = mkdtempSync(join(tmpdir(), 'basehttp-bench-log-'));
  const logFd = openSync(join(logDir, 'stderr'), 'w');
  const child = spawn(cmd, argv, {
    stdio: ipc ? ['ignore', 'ignore', logFd, 'ipc'] : ['ignore', 'ignore', logFd],
    env: { ...process.env, ...env },
    cwd,
  });
  closeSync(logFd);
  const stderrText = (): string => readFileSync(join(logDir, 'stderr'), 'utf8').slice(0, 4096);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(url, 15_000),
      exited.then(() => {
        throw new Error(`${command} exited early: ${stderrText().trim()}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(logDir, { recursive: true, force: true });
    throw err;
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Starts one peer of a round; one that cannot start is reported and skipped (its rows stay empty). */
export function startOrSkip<T>(name: string, start: () => Promise<T | null>): Promise<T | null> {
  return start().catch((err: Error) => {
    console.error(`${name}: ${err.message}`);
    return null;
  });
}

export interface WrkResult {
  rps: number;
  p99Ms: number;
  bytesPerSec: number;
}

/** wrk's settings: keep-alive connections, run length, threads, and seconds before a request counts as timed out. */
export interface WrkOptions {
  connections?: number;
  seconds?: number;
  threads?: number;
  timeout?: number;
}

/** Runs wrk (pinned to core 1) with latency stats; keep-alive, no pipelining. */
export function wrk(
  url: string,
  { connections = 50, seconds = 5, threads = 1, timeout = 2 }: WrkOptions = {},
): WrkResult {
  const [cmd, args] = wrkCommand(url, { connections, seconds, threads, timeout });
  return parseWrk(url, execFileSync(cmd, args, { encoding: 'utf8' }));
}

/** `wrk` as `wrk()` runs it, without blocking this process (whose event loop may drive other clients). */
export function wrkInBackground(
  url: string,
  options: { connections: number; seconds: number; threads?: number },
): Promise<WrkResult> {
  const [cmd, args] = wrkCommand(url, { threads: 1, timeout: 2, ...options });
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, out) =>
      err ? reject(new Error(`wrk failed: ${err.message}`, { cause: err })) : resolve(parseWrk(url, out)),
    );
  });
}

function wrkCommand(
  url: string,
  { connections, seconds, threads, timeout }: Required<WrkOptions>,
): [string, string[]] {
  if (!hasCommand('wrk')) throw new Error('wrk is not installed: apt-get install wrk');
  const args = [
    '-t',
    String(threads),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    `${timeout}s`,
  ];
  args.push('--latency', url);
  return canPin ? ['taskset', ['-c', '1', 'wrk', ...args]] : ['wrk', args];
}

function parseWrk(url: string, out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN;
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out);
  const scale = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
  const bytesPerSec = transfer ? Number(transfer[1]) * scale[transfer[2] as keyof typeof scale] : NaN;
  if (/Non-2xx|Socket errors/.test(out)) process.stderr.write(`wrk reported errors for ${url}:\n${out}\n`);
  return { rps, p99Ms, bytesPerSec };
}

let clockTicks = 0;

/**
 * CPU time (user + system) a process has used so far, in seconds, read from /proc; NaN where there is no
 * /proc. CPU per request holds steadier than requests/s on a shared machine: another tenant taking the core
 * lowers throughput but not the work each request costs.
 */
export function cpuSeconds(pid: number): number {
  try {
    clockTicks ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    // Fields 14 and 15 (utime, stime), counted after the command name, which may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return NaN;
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Prints an aligned table. */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [n, row] of cells.entries()) {
    console.log(row.map((c, i) => String(c).padStart(widths[i]!)).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(2);
}

/** One line about the machine, so figures can be read against the right hardware. */
export function machineLine(): string {
  let cpu = 'unknown CPU';
  try {
    cpu =
      /model name\s*:\s*(.*)/.exec(execFileSync('cat', ['/proc/cpuinfo'], { encoding: 'utf8' }))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return `machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}; servers pinned to core 0, wrk to core 1 (${canPin ? 'taskset' : 'no taskset: unpinned'})`;
}

/** What `startNginx` can vary besides the `server {}` block. */
export interface NginxOptions {
  /** Listen with TLS (the `server` block names the certificate). */
  ssl?: boolean;
  /** `worker_processes`: 1 runs one process without a master (pinned unless `unpinned`); more run a master. */
  workers?: number;
  /** Leave a single worker free to run on either core, as the load generator is in bench/workers.ts. */
  unpinned?: boolean;
  /** Extra directives for the `http {}` block, e.g. `open_file_cache max=100;`. */
  http?: string;
}

/**
 * An nginx.conf keeping every file under `dir`, access log off, sendfile on. One worker runs without a
 * master (pinned to core 0 unless `unpinned`), so the pid measured is the process that serves; more run a
 * master with unpinned workers, which `nginx -s reload` can reload.
 */
export function nginxConfig(
  dir: string,
  listen: string,
  server: string,
  { workers = 1, unpinned = workers > 1, http = '' }: Omit<NginxOptions, 'ssl'> = {},
): string {
  const processes =
    workers === 1
      ? `worker_processes 1;\nmaster_process off;${unpinned ? '' : '\nworker_cpu_affinity 01;'}`
      : `worker_processes ${workers};`;
  return `
${processes}
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
worker_rlimit_nofile 20000;
events { worker_connections 16384; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  ${http}
  server {
    listen ${listen};
    ${server}
  }
}
`;
}

/**
 * Starts nginx (when installed) as a peer: access log off, sendfile on, all its files in a temp dir,
 * listening on 127.0.0.1:`port`; by default one worker pinned to core 0. `server` is the body of its
 * `server {}` block besides `listen`, e.g. `location / { return 200 "ok"; }` or `root /path;`. Returns null
 * when nginx is missing.
 */
export async function startNginx(
  port: number,
  server: string,
  { ssl = false, ...options }: NginxOptions = {},
): Promise<{ stop: () => Promise<void>; version: string; pid: number } | null> {
  const binary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (binary === undefined) return null;
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-nginx-'));
  const unpinned = options.unpinned ?? (options.workers ?? 1) > 1;
  const conf = nginxConfig(dir, `127.0.0.1:${port}${ssl ? ' ssl' : ''}`, server, { ...options, unpinned });
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const version = spawnSync(binary, ['-v'], { encoding: 'utf8' })
    .stderr.trim()
    .replace('nginx version: ', '');
  const proc = await startProcess(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    url: `${ssl ? 'https' : 'http'}://127.0.0.1:${port}/`,
    cpu: unpinned ? '0,1' : '0',
  });
  return {
    version,
    pid: proc.child.pid!,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs bench/peers/client-load.js pinned to `cpu` (core 1, where load runs, unless a benchmark measures a
 * client as part of a server) and returns the numbers it printed: requests/s and CPU µs per request for
 * `small`, bytes/s for `large`.
 */
export function clientLoad(client: string, mode: 'small' | 'large', url: string, cpu = '1'): number[] {
  const args = [fileURLToPath(new URL('peers/client-load.js', import.meta.url)), client, mode, url];
  const [cmd, argv] = canPin ? ['taskset', ['-c', cpu, process.execPath, ...args]] : [process.execPath, args];
  const out = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (out.status !== 0) throw new Error(`${client} ${mode}: ${out.stderr}`);
  return out.stdout.trim().split(/\s+/).map(Number);
}

/** A server a measurement reads: how to stop it, and the pid whose CPU time and memory are read. */
export interface MeasuredServer {
  stop: () => Promise<void>;
  pid: number;
}

/** Starts a Node script (`args`: the script and its flags) pinned to core 0, once `url` accepts connections. */
export async function startNode(args: string[], url: string): Promise<MeasuredServer> {
  const proc = await startProcess(process.execPath, args, { url });
  return { stop: proc.stop, pid: proc.child.pid! };
}

/** A wrk run with the server's CPU time per request and how much its resident memory grew meanwhile. */
export interface Measurement extends WrkResult {
  /** The server's CPU time (user + system) per request, in µs. */
  cpuMicros: number;
  /** Growth of the server's peak resident set over the warm-up and the run, in KiB (NaN where /proc is missing). */
  rssGrowthKiB: number;
}

/** Peak resident set of a process so far, in KiB, from /proc; NaN where there is none. */
export function peakRssKiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/**
 * Load a server gets before it is measured, in seconds. A server is started afresh each round, and a new
 * basehttp is still being compiled by V8 in its first two seconds of load: 1 s windows on a fresh file server
 * read 33, 29, 61, 55 … thousand requests/s (and 45, 53, 83 …; 36, 66, 66, 77 …), while nginx and the bare
 * responders have little or nothing to compile. One second of warm-up let that second second into the figure.
 */
export const WARM_UP_SECONDS = 3;

/**
 * Runs wrk against `url` after a warm-up and reads the serving process `pid` around it: CPU over the measured
 * run, resident memory growth over the warm-up and the run together (what the load made it grow).
 */
export function measure(pid: number, url: string, options: WrkOptions = {}): Measurement {
  const rssBefore = peakRssKiB(pid);
  wrk(url, { ...options, seconds: WARM_UP_SECONDS });
  const seconds = options.seconds ?? 5;
  const cpuBefore = cpuSeconds(pid);
  const result = wrk(url, options);
  const cpuMicros = ((cpuSeconds(pid) - cpuBefore) / (result.rps * seconds)) * 1e6;
  return { ...result, cpuMicros, rssGrowthKiB: peakRssKiB(pid) - rssBefore };
}

/**
 * Measures every peer once per round, reversing the order every other round so that a machine speeding up
 * or slowing down during a run favours no one. Returns each peer's results by round (null where it could not
 * start that round).
 */
export async function alternatingRounds<P extends { name: string }, R>(
  rounds: number,
  peers: readonly P[],
  once: (peer: P) => Promise<R | null>,
): Promise<Map<string, Array<R | null>>> {
  const results = new Map<string, Array<R | null>>(peers.map((p) => [p.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? peers : [...peers].reverse();
    for (const peer of order) {
      const result = await once(peer).catch((err: Error) => {
        console.error(`${peer.name}: ${err.message}`);
        return null;
      });
      results.get(peer.name)!.push(result);
    }
  }
  return results;
}

/**
 * The median over rounds of `value(a) / value(b)`, taking only rounds where both were measured: the one
 * comparison a machine that changes speed within seconds still allows.
 */
export function medianRatio<R>(a: Array<R | null>, b: Array<R | null>, value: (r: R) => number): number {
  const ratios: number[] = [];
  for (const [i, x] of a.entries()) {
    const y = b[i];
    if (x !== null && y !== null && y !== undefined) ratios.push(value(x) / value(y));
  }
  return ratios.length === 0 ? NaN : median(ratios);
}

/** The median of one value over the rounds where a peer was measured. */
export function medianOf<R>(results: Array<R | null>, value: (r: R) => number): number {
  const values = results.filter((r): r is R => r !== null).map(value);
  return values.length === 0 ? NaN : median(values);
}

/**
 * The rows of a table against `ours`: each peer's median req/s, p99 and CPU µs/request, then the median
 * per-round ratios of ours to it (req/s) and of it to ours (CPU).
 */
export function ratioRows(
  names: readonly string[],
  results: Map<string, Array<Measurement | null>>,
  ours: Array<Measurement | null>,
): Array<Array<string | number>> {
  return names.map((name) => {
    const r = results.get(name)!;
    return [
      name,
      medianOf(r, (x) => x.rps),
      medianOf(r, (x) => x.p99Ms),
      medianOf(r, (x) => x.cpuMicros),
      medianRatio(ours, r, (x) => x.rps),
      medianRatio(r, ours, (x) => x.cpuMicros),
    ];
  });
}

/**
 * Load and memory: what a connection costs the server, against `node:http` (and nginx where it fits) in the
 * same run, rounds alternating the order, medians of per-round figures:
 * - server memory per slow download (clients with small receive buffers reading a large file at 500 kB/s);
 * - server memory per idle keep-alive connection (after one request each), with a bare `node:net` socket
 *   that answered one request as the floor any Node server sits on;
 * - p99 latency of a normal client (wrk -c10) while 5,000 slowloris connections dribble a head byte every
 *   3 s and are cut at the headers timeout (10 s here, so the cut falls inside the measured window).
 * Memory is the server's RSS (from /proc) and, for the Node servers, heap + external after a full GC,
 * before and during the load, divided by the number of connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cpuSeconds,
  freePort,
  hasCommand,
  median,
  printTable,
  startNginx,
  startOrSkip,
  startProcess,
  wrkInBackground,
} from './lib.js';

const ROUNDS = 5;
const SLOW_CLIENTS = 100;
const SLOW_RATE = 500_000;
const IDLE_CONNECTIONS = 5000;
const SLOWLORIS = 5000;
const HEADERS_TIMEOUT = 10_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const sourceDir = `${here}../../bench/peers/`;

interface Server {
  stop: () => Promise<void>;
  pid: number;
  /** Memory after a full GC (Node peers, over IPC), or only RSS from /proc. */
  memory: () => Promise<{ rss: number; heap: number }>;
}

interface RoundResult {
  slow: { rss: number; heap: number };
  idle: { rss: number; heap: number };
  p99Ms: number;
  cpuMs: number;
}

interface Peer {
  name: string;
  /** Measured for idle connections only: the floor a bare socket sets, not a server to load. */
  idleOnly?: boolean;
  start: (port: number, dir: string) => Promise<Server | null>;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

const nodePeer =
  (kind: string): Peer['start'] =>
  async (port, dir) => {
    const proc = await startProcess(
      process.execPath,
      ['--expose-gc', `${here}peers/memory-server.js`, kind, dir, String(port), String(HEADERS_TIMEOUT)],
      { url: `http://127.0.0.1:${port}/small.bin`, ipc: true },
    );
    const child: ChildProcess = proc.child;
    return {
      stop: proc.stop,
      pid: child.pid!,
      memory: () =>
        new Promise((resolve) => {
          child.once('message', (m) => {
            const usage = m as NodeJS.MemoryUsage;
            resolve({ rss: rssOf(child.pid!), heap: usage.heapUsed + usage.external });
          });
          child.send('memory');
        }),
    };
  };

const PEERS: Peer[] = [
  { name: 'basehttp', start: nodePeer('basehttp') },
  { name: 'node:http', start: nodePeer('node-http') },
  { name: 'bare node:net', idleOnly: true, start: nodePeer('bare-net') },
  {
    name: 'nginx',
    start: async (port, dir) => {
      const nginx = await startNginx(port, `root ${dir}; keepalive_timeout 600s;`);
      if (nginx === null) return null;
      return {
        stop: nginx.stop,
        pid: nginx.pid,
        memory: () => Promise.resolve({ rss: rssOf(nginx.pid), heap: NaN }),
      };
    },
  },
];

/** Per connection: what the server holds during the load over what it held before, in KiB. */
function perConnection(
  before: { rss: number; heap: number },
  during: { rss: number; heap: number },
  n: number,
) {
  return { rss: (during.rss - before.rss) / n / 1024, heap: (during.heap - before.heap) / n / 1024 };
}

async function slowDownloads(server: Server, port: number): Promise<{ rss: number; heap: number }> {
  // Warm up first: the code (and memory) a first download brings in is not a per-client cost.
  for (const path of ['/small.bin', '/large.bin'])
    await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
  const before = await server.memory();
  const readers = spawn(
    'python3',
    [`${sourceDir}slow_readers.py`, String(port), '/large.bin', String(SLOW_CLIENTS), String(SLOW_RATE), '5'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => readers.once('exit', resolve));
  await new Promise((resolve) => readers.stdout.once('data', resolve));
  await sleep(3000); // the send and receive buffers fill; the server then sends only as fast as they read
  const during = await server.memory();
  await exited;
  return perConnection(before, during, SLOW_CLIENTS);
}

/** Opens `n` connections, `batch` at a time, each sending `first` and, when `whenOpen` says, waiting. */
async function openConnections(
  port: number,
  n: number,
  first: string,
  whenOpen: (socket: net.Socket) => Promise<void>,
): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    const opened = Array.from({ length: Math.min(batch, n - i) }, () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      socket.write(first);
      return whenOpen(socket);
    });
    await Promise.all(opened);
  }
  return sockets;
}

/** Resolves once a whole response to `GET /small.bin` (a 1-byte body) has arrived. */
function responseRead(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0 && text.length >= end + 5) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve());
  });
}

async function idleConnections(server: Server, port: number): Promise<{ rss: number; heap: number }> {
  const before = await server.memory();
  const sockets = await openConnections(
    port,
    IDLE_CONNECTIONS,
    'GET /small.bin HTTP/1.1\r\nHost: bench\r\n\r\n',
    responseRead,
  );
  const during = await server.memory();
  const open = sockets.filter((s) => !s.destroyed).length;
  for (const socket of sockets) socket.destroy();
  if (open < IDLE_CONNECTIONS)
    console.error(`idle: only ${open} of ${IDLE_CONNECTIONS} connections stayed open`);
  return perConnection(before, during, IDLE_CONNECTIONS);
}

async function slowloris(server: Server, port: number): Promise<{ p99Ms: number; cpuMs: number }> {
  const cpuBefore = cpuSeconds(server.pid);
  const sockets = await openConnections(port, SLOWLORIS, 'GET / HTTP/1.1\r\n', async () => {});
  // Each dribbles one header byte every 3 s, spread over the 3 s so the server sees a steady trickle.
  const stepMs = 50;
  let turn = 0;
  const dribble = setInterval(() => {
    const share = Math.ceil(sockets.length / (3000 / stepMs));
    for (let i = 0; i < share; i++) {
      const socket = sockets[(turn * share + i) % sockets.length]!;
      if (!socket.destroyed) socket.write('X');
    }
    turn++;
  }, stepMs);
  try {
    const result = await wrkInBackground(`http://127.0.0.1:${port}/small.bin`, {
      connections: 10,
      seconds: HEADERS_TIMEOUT / 1000 + 3,
    });
    return { p99Ms: result.p99Ms, cpuMs: (cpuSeconds(server.pid) - cpuBefore) * 1000 };
  } finally {
    clearInterval(dribble);
    for (const socket of sockets) socket.destroy();
  }
}

export async function run(): Promise<void> {
  if (!hasCommand('python3')) throw new Error('python3 is needed for the slow download clients');
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-load-'));
  writeFileSync(join(dir, 'small.bin'), 'a');
  writeFileSync(join(dir, 'large.bin'), Buffer.alloc(64 * 1024 * 1024, 0x62));
  const results = new Map<string, RoundResult[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? PEERS : [...PEERS].reverse();
      for (const peer of order) {
        const port = await freePort();
        const server = await startOrSkip(peer.name, () => peer.start(port, dir));
        if (server === null) continue;
        try {
          const unmeasured = { rss: NaN, heap: NaN };
          const slow = peer.idleOnly ? unmeasured : await slowDownloads(server, port);
          const idle = await idleConnections(server, port);
          const { p99Ms, cpuMs } =
            peer.name === 'nginx' || peer.idleOnly
              ? { p99Ms: NaN, cpuMs: NaN }
              : await slowloris(server, port);
          results.set(peer.name, [...(results.get(peer.name) ?? []), { slow, idle, p99Ms, cpuMs }]);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Ratios per round against node:http, then their median.
  const rounds = (name: string): RoundResult[] => results.get(name) ?? [];
  const ratio = (name: string, pick: (r: RoundResult) => number, peer = 'node:http'): number =>
    median(rounds(name).map((r, i) => pick(r) / pick(rounds(peer)[i]!)));
  const rows = PEERS.filter((p) => results.has(p.name)).map((p) => {
    const m = (pick: (r: RoundResult) => number): number => median(rounds(p.name).map(pick));
    return [
      p.name,
      m((r) => r.slow.rss),
      m((r) => r.slow.heap),
      ratio(p.name, (r) => r.slow.rss),
      m((r) => r.idle.rss),
      m((r) => r.idle.heap),
      ratio(p.name, (r) => r.idle.rss),
      ratio(p.name, (r) => r.idle.rss, 'bare node:net'),
      m((r) => r.p99Ms),
      ratio(p.name, (r) => r.p99Ms),
      m((r) => r.cpuMs),
    ];
  });
  printTable(
    `memory and slowloris, median of ${ROUNDS} rounds (× = median per-round ratio to node:http, × bare = to a bare ` +
      `node:net socket): KiB per slow download ` +
      `(${SLOW_CLIENTS} clients at ${SLOW_RATE / 1000} kB/s), KiB per idle connection (${IDLE_CONNECTIONS}), ` +
      `p99 of wrk -c10 beside ${SLOWLORIS} slowloris connections cut at ${HEADERS_TIMEOUT / 1000} s, server CPU ms`,
    [
      'server',
      'slow rss',
      'slow heap',
      '×',
      'idle rss',
      'idle heap',
      '×',
      '× bare',
      'slowloris p99 ms',
      '×',
      'cpu ms',
    ],
    rows,
  );
}

/**
 * WebSockets: basehttp's `acceptWebSocket()` against `ws` (WebSocketServer on `node:http`), the same echo
 * handler on both (bench/peers/websocket-server.ts), loaded by one raw-socket client in its own process
 * (bench/websocket-load.ts, pinned to core 1; the servers to core 0):
 * - echo of small text messages over 50 connections, each keeping a bounded window of messages in flight:
 *   messages/s, the server's CPU µs per message, and the client's CPU share (so a client near 100 % shows the
 *   figure is the client's, not the server's);
 * - 10,000 idle WebSockets: the server's RSS (and heap + external) after a full GC, above the idle server's.
 * Rounds alternate the order; each ratio is the median of per-round ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  cpuSeconds,
  freePort,
  hasCommand,
  medianOf,
  medianRatio,
  printTable,
  startProcess,
} from './lib.js';

const ROUNDS = Number(process.env['WEBSOCKET_BENCH_ROUNDS'] ?? 5);
const SECONDS = Number(process.env['WEBSOCKET_BENCH_SECONDS'] ?? 4);
const CONNECTIONS = 50;
const WINDOW = 16;
const MESSAGE_BYTES = 32;
const IDLE_SOCKETS = Number(process.env['WEBSOCKET_BENCH_IDLE'] ?? 10_000);
const IDLE_ROUNDS = 3;
const here = fileURLToPath(new URL('.', import.meta.url));

interface Peer {
  name: string;
  kind: 'basehttp' | 'ws';
}

const PEERS: readonly Peer[] = [
  { name: 'basehttp acceptWebSocket()', kind: 'basehttp' },
  { name: 'ws WebSocketServer', kind: 'ws' },
];

interface Server {
  pid: number;
  stop: () => Promise<void>;
  /** RSS from /proc and heap + external from the server itself, after a full GC, in bytes. */
  memory: () => Promise<{ rss: number; heap: number }>;
}

async function startServer(peer: Peer, port: number): Promise<Server> {
  const proc = await startProcess(
    process.execPath,
    ['--expose-gc', `${here}peers/websocket-server.js`, peer.kind, String(port)],
    { url: `http://127.0.0.1:${port}/`, ipc: true },
  );
  const child = proc.child;
  return {
    pid: child.pid!,
    stop: proc.stop,
    memory: async () => {
      child.send('memory');
      const [usage] = (await once(child, 'message')) as [NodeJS.MemoryUsage];
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      return { rss: Number(kb) * 1024, heap: usage.heapUsed + usage.external };
    },
  };
}

/** Starts the load generator (pinned to core 1 where taskset is), with a reader over its stdout lines. */
function startLoad(args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const argv = [`${here}websocket-load.js`, ...args];
  const child = hasCommand('taskset')
    ? spawn('taskset', ['-c', '1', process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextLine(lines: AsyncIterator<string>, what: string): Promise<string> {
  const next: IteratorResult<string> = await lines.next();
  if (next.done === true) throw new Error(`the load generator ended before ${what}`);
  return next.value;
}

interface EchoResult {
  rate: number;
  cpuMicros: number;
  clientCpuShare: number;
}

async function echoRound(peer: Peer): Promise<EchoResult> {
  const port = await freePort();
  const server = await startServer(peer, port);
  try {
    const load = startLoad([
      'echo',
      String(port),
      String(CONNECTIONS),
      String(WINDOW),
      String(MESSAGE_BYTES),
      '1000',
      String(SECONDS * 1000),
    ]);
    await nextLine(load.lines, 'the measured window');
    const cpuBefore = cpuSeconds(server.pid);
    const result = JSON.parse(await nextLine(load.lines, 'its result')) as {
      messages: number;
      seconds: number;
      cpuSeconds: number;
    };
    const serverCpu = cpuSeconds(server.pid) - cpuBefore;
    await once(load.child, 'exit');
    return {
      rate: result.messages / result.seconds,
      cpuMicros: (serverCpu / result.messages) * 1e6,
      clientCpuShare: result.cpuSeconds / result.seconds,
    };
  } finally {
    await server.stop();
  }
}

interface IdleResult {
  rssMB: number;
  heapMB: number;
}

/** Opens `count` idle WebSockets from a separate process; `close()` ends them and that process. */
async function openIdle(
  port: number,
  count: number,
): Promise<{ opened: number; close: () => Promise<void> }> {
  const load = startLoad(['idle', String(port), String(count)]);
  const opened = Number((await nextLine(load.lines, 'opening its sockets')).split(' ')[1]);
  return {
    opened,
    close: async () => {
      load.child.stdin!.end();
      await once(load.child, 'exit');
    },
  };
}

async function idleRound(peer: Peer): Promise<IdleResult> {
  const port = await freePort();
  const server = await startServer(peer, port);
  try {
    // Warm up: the code a first WebSocket brings in is not a per-socket cost.
    await (await openIdle(port, 100)).close();
    const before = await server.memory();
    const idle = await openIdle(port, IDLE_SOCKETS);
    if (idle.opened < IDLE_SOCKETS)
      console.error(`${peer.name}: only ${idle.opened} of ${IDLE_SOCKETS} stayed open`);
    const during = await server.memory();
    await idle.close();
    return { rssMB: (during.rss - before.rss) / 1024 ** 2, heapMB: (during.heap - before.heap) / 1024 ** 2 };
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<void> {
  const echo = await alternatingRounds(ROUNDS, PEERS, echoRound);
  const ours = echo.get(PEERS[0]!.name)!;
  printTable(
    `WebSocket echo: ${CONNECTIONS} connections, ${MESSAGE_BYTES}-byte text messages, ${WINDOW} in flight per ` +
      `connection, ${SECONDS} s measured after 1 s, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
    ['server', 'msgs/s', 'CPU µs/msg', 'client CPU %', 'basehttp ×', 'CPU: peer / basehttp'],
    PEERS.map((peer) => {
      const r = echo.get(peer.name)!;
      return [
        peer.name,
        medianOf(r, (x) => x.rate),
        medianOf(r, (x) => x.cpuMicros),
        medianOf(r, (x) => x.clientCpuShare * 100),
        medianRatio(ours, r, (x) => x.rate),
        medianRatio(r, ours, (x) => x.cpuMicros),
      ];
    }),
  );
  const idle = await alternatingRounds(IDLE_ROUNDS, PEERS, idleRound);
  const oursIdle = idle.get(PEERS[0]!.name)!;
  printTable(
    `${IDLE_SOCKETS.toLocaleString('en-US')} idle WebSockets: server memory above the idle server, after a full GC, ` +
      `median of ${IDLE_ROUNDS} rounds alternating`,
    ['server', 'RSS MB', 'heap + external MB', 'RSS: basehttp / peer'],
    PEERS.map((peer) => {
      const r = idle.get(peer.name)!;
      return [
        peer.name,
        medianOf(r, (x) => x.rssMB),
        medianOf(r, (x) => x.heapMB),
        medianRatio(oursIdle, r, (x) => x.rssMB),
      ];
    }),
  );
}

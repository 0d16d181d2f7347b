/**
 * Static files. A 1 KiB file from the `basehttp` command against the same bytes sent by a hand-written
 * handler (what serving from a directory costs on top of the engine), nginx (one worker, sendfile on, access
 * log off; and with `open_file_cache`), and the npm peers http-server, serve and sirv-cli and
 * `python3 -m http.server`. Then a 1 MiB and a 64 MiB file (larger than basehttp's memory cache) against
 * nginx, with how much each server's resident memory grew. Two bare `node:net` responders are the ceilings
 * for any Node server (Node has no `sendfile`): one writing every file from memory, one reading each large
 * body from disk as it sends it; their ratios to nginx, printed last, say how much of each nginx target a
 * Node server can reach at all. For the 1 KiB file the protocol-only responder (parsing and head building
 * alone, as in bench/hello.ts) shows what any conforming server on Node keeps of that. Every server pinned
 * to core 0, wrk to core 1; rounds alternate the order and every ratio is the median of per-round ratios.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResponseReader } from '../src/protocol/response-reader.js';
import {
  basehttpArgs,
  alternatingRounds,
  freePort,
  hasCommand,
  keptAliveResponse,
  measure,
  medianOf,
  medianRatio,
  printTable,
  startNginx,
  startNode,
  startProcess,
  type MeasuredServer,
  type Measurement,
} from './lib.js';

const ROUNDS = 3;
const SECONDS = 3;
const here = fileURLToPath(new URL('.', import.meta.url));
/** The Node ceiling: every file's bytes written from memory by a bare `node:net` responder. */
const CEILING = 'bare node:net, files in memory';
/** The same, reading each large body from its file as it goes: the ceiling for a server not holding files. */
const CEILING_FROM_DISK = 'bare node:net, from disk';
/**
 * Parsing each request and building each head with the protocol layer, the 1 KiB file's bytes from memory:
 * the most a conforming server on Node can do (see bench/hello.ts).
 */
const PROTOCOL_ONLY = 'protocol layer only';
const bin = (name: string): string => `${here}../../node_modules/.bin/${name}`;

interface Peer {
  name: string;
  /** Whether the large files are measured too (for basehttp and nginx only, to keep a run short). */
  large?: boolean;
  start: (port: number, dir: string) => Promise<MeasuredServer | null>;
}

const node =
  (args: (port: number, dir: string) => string[]) =>
  (port: number, dir: string): Promise<MeasuredServer> =>
    startNode(args(port, dir), `http://127.0.0.1:${port}/small.bin`);

const basehttp = node((p, d) => basehttpArgs(d, p));

/**
 * basehttp's whole answer for the 1 KiB file (what the protocol-only responder replays) and its header fields
 * besides the engine's own Server and Date (what the bare responders and the handler send).
 */
async function sampleOf(dir: string): Promise<{ response: Buffer; fields: Array<[string, string]> }> {
  const port = await freePort();
  const server = await basehttp(port, dir);
  const response = await keptAliveResponse(net.connect(port, '127.0.0.1'), '/small.bin').finally(server.stop);
  const reader = new ResponseReader();
  reader.push(response);
  const fields = [...reader.readHead()!.headers].filter(([name]) => !/^(server|date)$/i.test(name));
  return { response, fields };
}

function peers({ response, fields }: { response: Buffer; fields: Array<[string, string]> }): Peer[] {
  return [
    { name: 'basehttp', large: true, start: basehttp },
    {
      name: PROTOCOL_ONLY,
      start: node((p) => [
        `${here}peers/protocol-only.js`,
        '--port',
        String(p),
        '--response',
        response.toString('base64'),
      ]),
    },
    {
      name: 'same bytes from a handler',
      start: node((p, d) => [
        `${here}peers/same-bytes-handler.js`,
        '--port',
        String(p),
        '--body',
        join(d, 'small.bin'),
        '--fields',
        JSON.stringify(fields),
      ]),
    },
    ...[CEILING, CEILING_FROM_DISK].map((name) => ({
      name,
      large: true,
      start: node((p, d) => [
        `${here}peers/bare-files.js`,
        '--port',
        String(p),
        '--dir',
        d,
        '--fields',
        JSON.stringify(fields),
        ...(name === CEILING_FROM_DISK ? ['--from-disk'] : []),
      ]),
    })),
    { name: 'nginx', large: true, start: (p, d) => startNginx(p, `root ${d};`) },
    {
      name: 'nginx open_file_cache',
      start: (p, d) => startNginx(p, `root ${d};`, { http: 'open_file_cache max=1000 inactive=60s;' }),
    },
    {
      name: 'http-server',
      start: node((p, d) => [bin('http-server'), d, '-a', '127.0.0.1', '-p', String(p), '-s', '-c-1']),
    },
    { name: 'serve', start: node((p, d) => [bin('serve'), '-L', '-n', '-l', `tcp://127.0.0.1:${p}`, d]) },
    {
      name: 'sirv-cli',
      start: node((p, d) => [
        bin('sirv'),
        d,
        '--host',
        '127.0.0.1',
        '--port',
        String(p),
        '--quiet',
        '--etag',
      ]),
    },
    {
      name: 'python http.server',
      start: async (p, d) => {
        if (!hasCommand('python3')) return null;
        const proc = await startProcess(
          'python3',
          ['-m', 'http.server', String(p), '-b', '127.0.0.1', '-d', d],
          {
            url: `http://127.0.0.1:${p}/small.bin`,
          },
        );
        return { stop: proc.stop, pid: proc.child.pid! };
      },
    },
  ];
}

interface Round {
  small: Measurement;
  large?: Measurement;
  huge?: Measurement;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-static-'));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  writeFileSync(join(dir, 'large.bin'), Buffer.alloc(1024 * 1024, 0x62));
  writeFileSync(join(dir, 'huge.bin'), '');
  truncateSync(join(dir, 'huge.bin'), 64 * 1024 * 1024);
  try {
    const list = peers(await sampleOf(dir));
    const results = await alternatingRounds<Peer, Round>(ROUNDS, list, async (peer) => {
      const port = await freePort();
      const server = await peer.start(port, dir);
      if (server === null) return null;
      try {
        const base = `http://127.0.0.1:${port}`;
        const small = measure(server.pid, `${base}/small.bin`, { seconds: SECONDS });
        if (!peer.large) return { small };
        const large = measure(server.pid, `${base}/large.bin`, { seconds: SECONDS, connections: 10 });
        const huge = measure(server.pid, `${base}/huge.bin`, {
          seconds: SECONDS,
          connections: 4,
          timeout: 20,
        });
        return { small, large, huge };
      } finally {
        await server.stop();
      }
    });
    report(list, results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(list: Peer[], results: Map<string, Array<Round | null>>): void {
  const ours = results.get('basehttp')!;
  const measured = list.filter((p) => results.get(p.name)!.some((r) => r !== null));
  printTable(
    `1 KiB file, wrk -t1 -c50 -d${SECONDS}s keep-alive, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
    ['server', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×'],
    measured.map((p) => {
      const r = results.get(p.name)!;
      return [
        p.name,
        medianOf(r, (x) => x.small.rps),
        medianOf(r, (x) => x.small.p99Ms),
        medianOf(r, (x) => x.small.cpuMicros),
        medianRatio(ours, r, (x) => x.small.rps),
      ];
    }),
  );
  const large = measured.filter((p) => p.large);
  printTable(
    `large files, wrk -t1 -d${SECONDS}s keep-alive (1 MiB: -c10, 64 MiB: -c4), ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
    ['server', '1 MiB GB/s', 'basehttp ×', '64 MiB GB/s', 'basehttp ×', '64 MiB RSS growth KiB'],
    large.map((p) => {
      const r = results.get(p.name)!;
      return [
        p.name,
        medianOf(r, (x) => x.large!.bytesPerSec / 1e9),
        medianRatio(ours, r, (x) => x.large!.bytesPerSec),
        medianOf(r, (x) => x.huge!.bytesPerSec / 1e9),
        medianRatio(ours, r, (x) => x.huge!.bytesPerSec),
        medianOf(r, (x) => x.huge!.rssGrowthKiB),
      ];
    }),
  );
  const nginx = results.get('nginx')!;
  for (const name of [CEILING, CEILING_FROM_DISK]) {
    const ceiling = results.get(name)!;
    if (!ceiling.some((r) => r !== null) || !nginx.some((r) => r !== null)) continue;
    const share = (value: (r: Round) => number): string => medianRatio(ceiling, nginx, value).toFixed(2);
    console.log(
      `${name} ÷ nginx (median of per-round ratios): 1 KiB ${share((x) => x.small.rps)} ×, ` +
        `1 MiB ${share((x) => x.large!.bytesPerSec)} ×, 64 MiB ${share((x) => x.huge!.bytesPerSec)} ×`,
    );
  }
  const floor = results.get(PROTOCOL_ONLY)!;
  if (floor.some((r) => r !== null) && nginx.some((r) => r !== null)) {
    const share = medianRatio(floor, nginx, (x) => x.small.rps).toFixed(2);
    console.log(`${PROTOCOL_ONLY} ÷ nginx (median of per-round ratios): 1 KiB ${share} ×`);
  }
}

/**
 * Static files: a 1 KiB and a 1 MiB file from basehttp's `basehttp` command against http-server, serve,
 * sirv-cli (the npm peers, from node_modules), `python3 -m http.server` and nginx (one worker, sendfile on,
 * access log off) when installed. Every server pinned to core 0, wrk to core 1, rounds alternating.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  hasCommand,
  median,
  printTable,
  startNginx,
  startOrSkip,
  startProcess,
  wrk,
  type WrkResult,
} from './lib.js';

const ROUNDS = 3;
const SECONDS = 3;
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = (name: string): string => `${here}../../node_modules/.bin/${name}`;

interface Peer {
  name: string;
  start: (port: number, dir: string) => Promise<{ stop: () => Promise<void> } | null>;
}

const node = (args: (port: number, dir: string) => string[]) => (port: number, dir: string) =>
  startProcess(process.execPath, args(port, dir), { url: `http://127.0.0.1:${port}/small.bin` });

const PEERS: Peer[] = [
  {
    name: 'basehttp',
    start: node((p, d) => [`${here}../src/cli/main.js`, '-b', '127.0.0.1', '-d', d, '--quiet', String(p)]),
  },
  {
    name: 'http-server',
    start: node((p, d) => [bin('http-server'), d, '-a', '127.0.0.1', '-p', String(p), '-s', '-c-1']),
  },
  { name: 'serve', start: node((p, d) => [bin('serve'), '-L', '-n', '-l', `tcp://127.0.0.1:${p}`, d]) },
  {
    name: 'sirv-cli',
    start: node((p, d) => [bin('sirv'), d, '--host', '127.0.0.1', '--port', String(p), '--quiet', '--etag']),
  },
  {
    name: 'python http.server',
    start: (p, d) =>
      hasCommand('python3')
        ? startProcess('python3', ['-m', 'http.server', String(p), '-b', '127.0.0.1', '-d', d], {
            url: `http://127.0.0.1:${p}/small.bin`,
          })
        : Promise.resolve(null),
  },
  { name: 'nginx', start: (p, d) => startNginx(p, `root ${d};`) },
];

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-static-'));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  writeFileSync(join(dir, 'large.bin'), Buffer.alloc(1024 * 1024, 0x62));
  const small = new Map<string, WrkResult[]>();
  const large = new Map<string, WrkResult[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of PEERS) {
        const port = await freePort();
        const server = await startOrSkip(peer.name, () => peer.start(port, dir));
        if (server === null) continue;
        try {
          const base = `http://127.0.0.1:${port}`;
          wrk(`${base}/small.bin`, { seconds: 1 }); // warm-up
          small.set(peer.name, [
            ...(small.get(peer.name) ?? []),
            wrk(`${base}/small.bin`, { seconds: SECONDS }),
          ]);
          large.set(peer.name, [
            ...(large.get(peer.name) ?? []),
            wrk(`${base}/large.bin`, { seconds: SECONDS, connections: 10 }),
          ]);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (m: Map<string, WrkResult[]>, name: string, key: keyof WrkResult): number =>
    median((m.get(name) ?? []).map((r) => r[key]));
  const baseSmall = med(small, 'basehttp', 'rps');
  const baseLarge = med(large, 'basehttp', 'bytesPerSec');
  const rows = PEERS.filter((p) => small.has(p.name)).map((p) => {
    const rps = med(small, p.name, 'rps');
    const bps = med(large, p.name, 'bytesPerSec');
    return [p.name, rps, med(small, p.name, 'p99Ms'), baseSmall / rps, bps / 1e9, baseLarge / bps];
  });
  printTable(
    `static files, wrk -t1 (1 KiB: -c50; 1 MiB: -c10) -d${SECONDS}s, keep-alive, median of ${ROUNDS} rounds`,
    ['server', '1 KiB req/s', 'p99 ms', 'basehttp ×', '1 MiB GB/s', 'basehttp ×'],
    rows,
  );
}

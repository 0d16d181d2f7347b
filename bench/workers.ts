/**
 * Several cores: `basehttp --workers 2` against one process and against nginx `worker_processes 2` (and 1),
 * serving a 1 KiB file, plus the hello handler on 1 and 2 workers (`wrk -c50`). With 2 cores the load
 * generator competes with the workers, so nothing is pinned here and wrk's own CPU time is reported as a
 * share of one core: read the ratio with it. Rounds alternate the order; ratios are medians of per-round
 * ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  basehttpArgs,
  alternatingRounds,
  freePort,
  hasCommand,
  medianOf,
  medianRatio,
  printTable,
  startNginx,
  startProcess,
} from './lib.js';

const ROUNDS = 3;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));

interface Result {
  rps: number;
  /** The share of one core wrk itself used. */
  wrkCores: number;
}

/** wrk under /usr/bin/time: requests/s and the share of a core wrk itself used. */
function wrkWithCpu(url: string): Result {
  const out = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'wrk', '-t1', '-c50', `-d${SECONDS}s`, url], {
    encoding: 'utf8',
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? NaN);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(out.stderr);
  return { rps, wrkCores: cpu ? (Number(cpu[1]) + Number(cpu[2])) / SECONDS : NaN };
}

interface Case {
  name: string;
  /** The group it is compared in: its 1-worker run and basehttp's run with as many workers. */
  group: 'hello' | '1 KiB file';
  workers: number;
  path: string;
  start: (port: number, dir: string) => Promise<{ stop: () => Promise<void> } | null>;
}

const node = (args: string[]) => (port: number) =>
  startProcess(process.execPath, [...args, String(port)], { url: `http://127.0.0.1:${port}/`, cpu: '0,1' });

function cases(): Case[] {
  const list: Case[] = [];
  for (const workers of [1, 2]) {
    list.push(
      {
        name: `basehttp hello ×${workers}`,
        group: 'hello',
        workers,
        path: '/',
        start: node([`${here}peers/hello-cluster.js`, '--workers', String(workers), '--port']),
      },
      {
        name: `basehttp ×${workers}`,
        group: '1 KiB file',
        workers,
        path: '/small.bin',
        start: (port, dir) =>
          startProcess(process.execPath, basehttpArgs(dir, port, '--workers', String(workers)), {
            url: `http://127.0.0.1:${port}/`,
            cpu: '0,1',
          }),
      },
      {
        name: `nginx ×${workers}`,
        group: '1 KiB file',
        workers,
        path: '/small.bin',
        start: (port, dir) => startNginx(port, `root ${dir};`, { workers, unpinned: true }),
      },
    );
  }
  return list;
}

export async function run(): Promise<void> {
  if (!hasCommand('wrk') || !hasCommand('/usr/bin/time')) {
    console.log('\nworkers: needs wrk and /usr/bin/time (apt-get install wrk time); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-workers-'));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  const list = cases();
  try {
    const results = await alternatingRounds<Case, Result>(ROUNDS, list, async (c) => {
      const port = await freePort();
      const server = await c.start(port, dir);
      if (server === null) return null;
      try {
        await new Promise((r) => setTimeout(r, 300)); // let every worker start listening
        const url = `http://127.0.0.1:${port}${c.path}`;
        wrkWithCpu(url); // warm-up
        return wrkWithCpu(url);
      } finally {
        await server.stop();
      }
    });
    const of = (name: string): Array<Result | null> => results.get(name) ?? [];
    printTable(
      `--workers, wrk -t1 -c50 -d${SECONDS}s, unpinned on 2 cores, ${ROUNDS} rounds alternating; ratios are medians of per-round ratios`,
      ['case', 'req/s', 'vs 1 worker', 'basehttp ×', 'wrk CPU (cores)'],
      list
        .filter((c) => of(c.name).some((r) => r !== null))
        .map((c) => {
          const r = of(c.name);
          const one = of(c.name.replace(/×\d+$/, '×1'));
          const ours = c.group === 'hello' ? r : of(`basehttp ×${c.workers}`);
          return [
            c.name,
            medianOf(r, (x) => x.rps),
            medianRatio(r, one, (x) => x.rps),
            medianRatio(ours, r, (x) => x.rps),
            medianOf(r, (x) => x.wrkCores),
          ];
        }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

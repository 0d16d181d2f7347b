/**
 * Several cores: `basehttp --workers 2` against one process, serving a 1 KiB file (`wrk -c50`). With 2 cores
 * the load generator competes with the workers, so nothing is pinned here and wrk's own CPU time is reported
 * as a share of one core: read the ratio with it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, hasCommand, median, printTable, startProcess } from './lib.js';

const ROUNDS = 3;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));

/** wrk under /usr/bin/time: requests/s and the share of a core wrk itself used. */
function wrkWithCpu(url: string): { rps: number; wrkCores: number } {
  const out = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'wrk', '-t1', '-c50', `-d${SECONDS}s`, url], {
    encoding: 'utf8',
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? NaN);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(out.stderr);
  return { rps, wrkCores: cpu ? (Number(cpu[1]) + Number(cpu[2])) / SECONDS : NaN };
}

export async function run(): Promise<void> {
  if (!hasCommand('wrk') || !hasCommand('/usr/bin/time')) {
    console.log('\nworkers: needs wrk and /usr/bin/time (apt-get install wrk time); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-workers-'));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  const cases = [
    {
      name: 'hello',
      path: '/',
      args: (w: number, p: number) => [
        `${here}peers/hello-cluster.js`,
        '--workers',
        String(w),
        '--port',
        String(p),
      ],
    },
    {
      name: '1 KiB file',
      path: '/small.bin',
      args: (w: number, p: number) => [
        `${here}../src/cli/main.js`,
        '-b',
        '127.0.0.1',
        '-d',
        dir,
        '--quiet',
        '--workers',
        String(w),
        String(p),
      ],
    },
  ];
  const results = new Map<string, Array<{ rps: number; wrkCores: number }>>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        for (const workers of [1, 2]) {
          const port = await freePort();
          const url = `http://127.0.0.1:${port}${c.path}`;
          // Unpinned: a cpu list of both cores.
          const server = await startProcess(process.execPath, c.args(workers, port), { url, cpu: '0,1' });
          try {
            await new Promise((r) => setTimeout(r, 300)); // let every worker start listening
            wrkWithCpu(url); // warm-up
            const key = `${c.name}|${workers}`;
            results.set(key, [...(results.get(key) ?? []), wrkWithCpu(url)]);
          } finally {
            await server.stop();
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = cases.flatMap((c) => {
    const one = median(results.get(`${c.name}|1`)!.map((r) => r.rps));
    return [1, 2].map((w) => {
      const r = results.get(`${c.name}|${w}`)!;
      return [
        c.name,
        String(w),
        median(r.map((x) => x.rps)),
        median(r.map((x) => x.rps)) / one,
        median(r.map((x) => x.wrkCores)),
      ];
    });
  });
  printTable(
    `--workers, wrk -t1 -c50 -d${SECONDS}s, unpinned on 2 cores, median of ${ROUNDS}`,
    ['case', 'workers', 'req/s', 'vs 1 worker', 'wrk CPU (cores)'],
    rows,
  );
}

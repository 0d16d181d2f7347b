/**
 * Clients: many small keep-alive GETs (50 in flight) against nginx `return 200` — basehttp's Pool against
 * `undici.request` with a Pool of the same size and `node:http` with a keep-alive Agent; basehttp's `fetch()`
 * against undici's `fetch` and Node's global `fetch`, in alternating rounds — and a 100 MiB download against
 * undici and curl. Each client runs in its own process pinned to core 1, nginx on core 0.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alternatingRounds,
  clientLoad,
  freePort,
  hasCommand,
  median,
  medianOf,
  medianRatio,
  printTable,
  startNginx,
} from './lib.js';

const ROUNDS = 5;
const CLIENTS = ['basehttp', 'undici', 'node:http'] as const;
const FETCHES = [{ name: 'basehttp fetch' }, { name: 'undici fetch' }, { name: 'node fetch' }] as const;

/** One fetch peer's round: requests/s and the client's CPU µs per request. */
interface FetchRound {
  rps: number;
  micros: number;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-client-'));
  writeFileSync(join(dir, 'big.bin'), '');
  truncateSync(join(dir, 'big.bin'), 100 * 1024 * 1024);
  const port = await freePort();
  const nginx = await startNginx(port, `location = / { return 200 "ok"; } location / { root ${dir}; }`);
  if (nginx === null) {
    console.log('\nclients: nginx is not installed (apt-get install nginx-light); skipped');
    return;
  }
  const small = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const large = new Map<string, number[]>();
  let fetches = new Map<string, Array<FetchRound | null>>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of CLIENTS) {
        const [rps, micros] = clientLoad(client, 'small', `http://127.0.0.1:${port}/`);
        small.set(client, [...(small.get(client) ?? []), rps!]);
        cpu.set(client, [...(cpu.get(client) ?? []), micros!]);
      }
      for (const client of ['basehttp', 'undici'] as const) {
        const [bytes] = clientLoad(client, 'large', `http://127.0.0.1:${port}/big.bin`);
        large.set(client, [...(large.get(client) ?? []), bytes!]);
      }
      if (hasCommand('curl')) {
        const out = execFileSync(
          'curl',
          ['-s', '-o', '/dev/null', '-w', '%{speed_download}', `http://127.0.0.1:${port}/big.bin`],
          { encoding: 'utf8' },
        );
        large.set('curl', [...(large.get('curl') ?? []), Number(out)]);
      }
    }
    fetches = await alternatingRounds(ROUNDS, FETCHES, (peer) => {
      const [rps, micros] = clientLoad(peer.name, 'small', `http://127.0.0.1:${port}/`);
      return Promise.resolve({ rps: rps!, micros: micros! });
    });
  } finally {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const undici = median(small.get('undici')!);
  const undiciCpu = median(cpu.get('undici')!);
  printTable(
    `clients, 50 requests in flight on keep-alive connections against nginx return 200, 3 s, median of ${ROUNDS}`,
    ['client', 'req/s', 'vs undici.request', 'client CPU µs/req', 'undici CPU / this CPU'],
    CLIENTS.map((c) => [
      c,
      median(small.get(c)!),
      median(small.get(c)!) / undici,
      median(cpu.get(c)!),
      undiciCpu / median(cpu.get(c)!),
    ]),
  );
  const ours = fetches.get('basehttp fetch')!;
  printTable(
    `fetch(), 50 requests in flight on keep-alive connections against nginx return 200, 3 s, alternating rounds, median of ${ROUNDS}`,
    ['client', 'req/s', 'client CPU µs/req', 'basehttp fetch req/s ÷ this', 'this CPU ÷ basehttp fetch CPU'],
    FETCHES.map(({ name }) => {
      const theirs = fetches.get(name)!;
      return [
        name,
        medianOf(theirs, (r) => r.rps),
        medianOf(theirs, (r) => r.micros),
        medianRatio(ours, theirs, (r) => r.rps),
        medianRatio(theirs, ours, (r) => r.micros),
      ];
    }),
  );
  const undiciBytes = median(large.get('undici')!);
  printTable(
    `100 MiB download from nginx, one connection, median of ${ROUNDS}`,
    ['client', 'MB/s', 'vs undici'],
    [...large.keys()].map((c) => [c, median(large.get(c)!) / 1e6, median(large.get(c)!) / undiciBytes]),
  );
}

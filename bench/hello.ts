/**
 * Hello-world over keep-alive: basehttp's `examples/hello` against an equivalent `node:http` server, and a
 * bare `node:net` responder as the ceiling, same wrk settings, rounds alternating between the servers so
 * drift on a shared machine hits all alike.
 */
import { fileURLToPath } from 'node:url';
import { cpuSeconds, freePort, median, printTable, startProcess, wrk, type WrkResult } from './lib.js';

const ROUNDS = 5;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));
const SERVERS = [
  { name: 'basehttp', args: [`${here}../examples/hello.js`, '--quiet'] },
  { name: 'node:http', args: [`${here}peers/node-http-hello.js`] },
  { name: 'bare node:net', args: [`${here}peers/bare-net.js`] },
];

interface Result extends WrkResult {
  /** The server's CPU time (user + system) per request, in µs. */
  cpuMicros: number;
}

async function measure(args: string[]): Promise<Result> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const proc = await startProcess(process.execPath, [...args, '--port', String(port)], { url });
  try {
    wrk(url, { seconds: 1 }); // warm-up: let the JIT settle
    const pid = proc.child.pid!;
    const before = cpuSeconds(pid);
    const result = wrk(url, { seconds: SECONDS });
    const cpuMicros = ((cpuSeconds(pid) - before) / (result.rps * SECONDS)) * 1e6;
    return { ...result, cpuMicros };
  } finally {
    await proc.stop();
  }
}

export async function run(): Promise<void> {
  const results = SERVERS.map(() => [] as Result[]);
  const rows: Array<Array<string | number>> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, s] of SERVERS.entries()) results[i]!.push(await measure(s.args));
    const [b, n, bare] = results.map((r) => r[round - 1]!);
    rows.push([
      `round ${round}`,
      b!.rps,
      b!.p99Ms,
      b!.cpuMicros,
      n!.rps,
      n!.p99Ms,
      n!.cpuMicros,
      bare!.rps,
      bare!.cpuMicros,
      b!.rps / n!.rps,
      bare!.rps / n!.rps,
      n!.cpuMicros / b!.cpuMicros,
    ]);
  }
  const med = (i: number, key: keyof Result): number => median(results[i]!.map((r) => r[key]));
  const ratio = (i: number): number => median(results[i]!.map((r, k) => r.rps / results[1]![k]!.rps));
  rows.push([
    'median',
    med(0, 'rps'),
    med(0, 'p99Ms'),
    med(0, 'cpuMicros'),
    med(1, 'rps'),
    med(1, 'p99Ms'),
    med(1, 'cpuMicros'),
    med(2, 'rps'),
    med(2, 'cpuMicros'),
    ratio(0),
    ratio(2),
    median(results[1]!.map((r, k) => r.cpuMicros / results[0]![k]!.cpuMicros)),
  ]);
  printTable(
    `hello-world, keep-alive, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds (ratios: median of per-round ratios)`,
    [
      '',
      'basehttp req/s',
      'p99 ms',
      'CPU µs/req',
      'node:http req/s',
      'p99 ms',
      'CPU µs/req',
      'bare net req/s',
      'CPU µs/req',
      'basehttp/node',
      'bare/node',
      'node/basehttp CPU',
    ],
    rows,
  );
}

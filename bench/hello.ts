/**
 * Hello-world over keep-alive: basehttp's `examples/hello` against an equivalent `node:http` server, same
 * wrk settings, rounds alternating between the two so drift on a shared machine hits both alike.
 */
import { fileURLToPath } from 'node:url';
import { freePort, median, printTable, startProcess, wrk, type WrkResult } from './lib.js';

const ROUNDS = 5;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));

export async function run(): Promise<void> {
  const servers: Array<{ name: string; args: string[] }> = [
    { name: 'basehttp', args: [`${here}../examples/hello.js`, '--quiet', '--port'] },
    { name: 'node:http', args: [`${here}node-http-hello.js`, '--port'] },
  ];
  const results = new Map<string, WrkResult[]>(servers.map((s) => [s.name, []]));
  const rows: Array<Array<string | number>> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const line: Record<string, WrkResult> = {};
    for (const s of servers) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const proc = await startProcess(process.execPath, [...s.args, String(port)], { url });
      try {
        wrk(url, { seconds: 1 }); // warm-up: let the JIT settle
        line[s.name] = wrk(url, { seconds: SECONDS });
      } finally {
        await proc.stop();
      }
      results.get(s.name)!.push(line[s.name]!);
    }
    const b = line['basehttp']!;
    const n = line['node:http']!;
    rows.push([`round ${round}`, b.rps, b.p99Ms, n.rps, n.p99Ms, b.rps / n.rps]);
  }
  const med = (name: string, key: keyof WrkResult): number => median(results.get(name)!.map((r) => r[key]));
  const ratios = results.get('basehttp')!.map((r, i) => r.rps / results.get('node:http')![i]!.rps);
  rows.push([
    'median',
    med('basehttp', 'rps'),
    med('basehttp', 'p99Ms'),
    med('node:http', 'rps'),
    med('node:http', 'p99Ms'),
    median(ratios),
  ]);
  printTable(
    `hello-world, keep-alive, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds`,
    ['', 'basehttp req/s', 'p99 ms', 'node:http req/s', 'p99 ms', 'basehttp / node:http'],
    rows,
  );
}

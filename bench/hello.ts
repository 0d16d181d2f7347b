/**
 * Hello-world over keep-alive: basehttp's `examples/hello` against an equivalent `node:http` server, a bare
 * `node:net` responder writing basehttp's very bytes as the ceiling, and between them a responder that only
 * parses each request and builds each answer with basehttp's protocol layer (what any conforming server does
 * before its engine); rounds alternate the order, and every ratio is the median of per-round ratios.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  freePort,
  keptAliveResponse,
  measure,
  medianRatio,
  printTable,
  ratioRows,
  startProcess,
  type Measurement,
} from './lib.js';

const ROUNDS = 5;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));
const HELLO = `${here}../examples/hello.js`;

async function start(args: string[]): Promise<{ stop: () => Promise<void>; pid: number; port: number }> {
  const port = await freePort();
  const proc = await startProcess(process.execPath, [...args, '--port', String(port)], {
    url: `http://127.0.0.1:${port}/`,
  });
  return { stop: proc.stop, pid: proc.child.pid!, port };
}

export async function run(): Promise<void> {
  const sample = await start([HELLO, '--quiet']);
  const response = await keptAliveResponse(net.connect(sample.port, '127.0.0.1'), '/').finally(sample.stop);
  const servers = [
    { name: 'basehttp', args: [HELLO, '--quiet'] },
    { name: 'node:http', args: [`${here}peers/node-http-hello.js`] },
    {
      name: 'protocol layer only',
      args: [`${here}peers/protocol-only.js`, '--response', response.toString('base64')],
    },
    { name: 'bare node:net', args: [`${here}peers/bare-net.js`, '--response', response.toString('base64')] },
  ];
  const results = await alternatingRounds<(typeof servers)[number], Measurement>(
    ROUNDS,
    servers,
    async (s) => {
      const server = await start(s.args);
      try {
        return measure(server.pid, `http://127.0.0.1:${server.port}/`, { seconds: SECONDS });
      } finally {
        await server.stop();
      }
    },
  );
  const ours = results.get('basehttp')!;
  printTable(
    `hello-world (${response.length} bytes a response), keep-alive, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
    ['server', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×', 'CPU: peer / basehttp'],
    ratioRows(
      servers.map((s) => s.name),
      results,
      ours,
    ),
  );
  const floor = medianRatio(results.get('protocol layer only')!, results.get('bare node:net')!, (x) => x.rps);
  console.log(`protocol layer only ÷ bare node:net (median of per-round ratios): ${floor.toFixed(2)} ×`);
}

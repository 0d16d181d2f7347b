/**
 * Hello-world over keep-alive: basehttp's `examples/hello` against an equivalent `node:http` server, and a
 * bare `node:net` responder writing basehttp's very bytes as the ceiling; rounds alternate the order, and
 * every ratio is the median of per-round ratios.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  keptAliveResponse,
  measure,
  printTable,
  ratioRows,
  roundsOnRunningPeers,
  startNode,
  type MeasuredServer,
  type Measurement,
} from './lib.js';

const ROUNDS = 5;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));
const HELLO = `${here}../examples/hello.js`;

/** A hello server from `args` (a script and its flags), pinned to core 0, listening on `port`. */
function start(args: string[], port: number): Promise<MeasuredServer> {
  return startNode([...args, '--port', String(port)], `http://127.0.0.1:${port}/`);
}

export async function run(): Promise<void> {
  const samplePort = await freePort();
  const sample = await start([HELLO, '--quiet'], samplePort);
  const response = await keptAliveResponse(net.connect(samplePort, '127.0.0.1'), '/').finally(sample.stop);
  const servers = [
    { name: 'basehttp', args: [HELLO, '--quiet'] },
    { name: 'node:http', args: [`${here}peers/node-http-hello.js`] },
    { name: 'bare node:net', args: [`${here}peers/bare-net.js`, '--response', response.toString('base64')] },
  ];
  const results = await roundsOnRunningPeers<(typeof servers)[number], Measurement>(
    ROUNDS,
    servers,
    (s, port) => start(s.args, port),
    (_, server) => measure(server.pid, `http://127.0.0.1:${server.port}/`, { seconds: SECONDS }),
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
}

/**
 * The Fetch-API face: the same Hono hello app on basehttp, `@hono/node-server` and srvx; and a bare
 * `fetch` returning `new Response('Hello, World!')` on basehttp against `node:http` writing the same bytes.
 * Keep-alive, rounds alternating, each ratio the median of per-round ratios, server CPU µs/request beside.
 */
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  freePort,
  measure,
  printTable,
  ratioRows,
  startProcess,
  type Measurement,
} from './lib.js';

const ROUNDS = Number(process.env['FETCH_BENCH_ROUNDS'] ?? 5);
const SECONDS = Number(process.env['FETCH_BENCH_SECONDS'] ?? 4);
const here = fileURLToPath(new URL('.', import.meta.url));
const APP = `${here}peers/fetch-app.js`;

interface Peer {
  name: string;
  args: string[];
}

async function compare(title: string, peers: Peer[]): Promise<void> {
  const results = await alternatingRounds<Peer, Measurement>(ROUNDS, peers, async (peer) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const proc = await startProcess(process.execPath, [...peer.args, '--port', String(port)], { url });
    try {
      return measure(proc.child.pid!, url, { seconds: SECONDS });
    } finally {
      await proc.stop();
    }
  });
  const ours = results.get(peers[0]!.name)!;
  printTable(
    `${title}, keep-alive, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
    ['server', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×', 'CPU: peer / basehttp'],
    ratioRows(
      peers.map((peer) => peer.name),
      results,
      ours,
    ),
  );
}

export async function run(): Promise<void> {
  const app = (server: string, which: string): string[] => [APP, '--server', server, '--app', which];
  await compare('Hono hello app', [
    { name: 'basehttp serve()', args: app('basehttp', 'hono') },
    { name: '@hono/node-server', args: app('hono-node', 'hono') },
    { name: 'srvx', args: app('srvx', 'hono') },
  ]);
  await compare("bare fetch: new Response('Hello, World!')", [
    { name: 'basehttp serve()', args: app('basehttp', 'bare') },
    { name: 'node:http, same bytes', args: [`${here}peers/node-http-fetch-bytes.js`] },
  ]);
}

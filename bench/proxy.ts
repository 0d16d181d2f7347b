/**
 * Reverse proxy: `basehttp --proxy /=URL` against nginx `proxy_pass` (`proxy_http_version 1.1`,
 * `proxy_set_header Connection ""`) and a hand-written `node:http` proxy, all in front of the same backend
 * (nginx `return 200`, free to run on either core), each proxy pinned to core 0, wrk on core 1 with
 * keep-alive. Like with like: each may keep as many backend connections as wrk has client connections (nginx
 * `keepalive 256`, basehttp's default `connections` 256, the Agent's `maxSockets` 256), and each sends the
 * backend the four forwarding fields basehttp sends.
 *
 * Two more rows say what is possible: a bare `node:net` relay (connections paired, bytes copied, nothing
 * parsed), the ceiling for a proxy on Node; and basehttp's two halves measured alone — its server answering
 * the backend's bytes from a handler, and its client Pool sending the proxy's requests to the backend — whose
 * CPU per request, added, estimates the least basehttp's proxy can cost (an estimate: each half also pays
 * for things the proxy does not, its load loop or its `wfile` stream), set against the budget a target leaves.
 * Rounds alternate the order; ratios are medians of per-round ratios, with CPU µs/request beside them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  basehttpArgs,
  clientLoad,
  freePort,
  measure,
  medianOf,
  medianRatio,
  printTable,
  ratioRows,
  startNginx,
  startNode,
  type MeasuredServer,
  type Measurement,
} from './lib.js';

const ROUNDS = Number(process.env['PROXY_BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['PROXY_BENCH_SECONDS'] ?? 3);
/** The share of nginx's throughput issue 14 asks of `basehttp --proxy`. */
const TARGET = 0.7;
const here = fileURLToPath(new URL('.', import.meta.url));
/** What the backend answers, and so what the server half sends. */
const BACKEND_BODY = 'hello from the backend\n';

/** nginx as a proxy sending what basehttp sends: HTTP/1.1 kept alive, and the same forwarding fields. */
const NGINX_LOCATION = `location / {
  proxy_pass http://backend;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header X-Forwarded-For $remote_addr;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $http_host;
  proxy_set_header Forwarded "for=$remote_addr;host=\\"$http_host\\";proto=$scheme";
}`;

/** A peer measured with wrk through the port it listens on; or, for the client half, a load of its own. */
interface Peer {
  name: string;
  start?: (port: number, backend: number) => Promise<MeasuredServer | null>;
}

const CLIENT_HALF = 'client half: basehttp Pool → backend';
const SERVER_HALF = 'server half: basehttp answering itself';

/** Starts a node script from bench/peers pinned to core 0, listening on `--port`. */
function startPeer(script: string, port: number, ...extra: string[]): Promise<MeasuredServer> {
  return startNode([`${here}peers/${script}`, '--port', String(port), ...extra], `http://127.0.0.1:${port}/`);
}

export async function run(): Promise<void> {
  const backendPort = await freePort();
  const backend = await startNginx(
    backendPort,
    `location / { default_type text/plain; return 200 "${BACKEND_BODY.replace('\n', '\\n')}"; }`,
    { unpinned: true },
  );
  if (backend === null) {
    console.log('\nproxy: nginx is not installed (apt-get install nginx-light); skipped');
    return;
  }
  const empty = mkdtempSync(join(tmpdir(), 'basehttp-bench-proxy-'));
  const body = join(mkdtempSync(join(tmpdir(), 'basehttp-bench-proxy-body-')), 'body');
  writeFileSync(body, BACKEND_BODY);
  const backendFields = JSON.stringify([
    ['Content-Type', 'text/plain'],
    ['Content-Length', String(Buffer.byteLength(BACKEND_BODY))],
  ]);
  const peers: Peer[] = [
    {
      name: 'basehttp --proxy',
      start: (port, upstream) =>
        startNode(
          basehttpArgs(empty, port, '--proxy', `/=http://127.0.0.1:${upstream}`),
          `http://127.0.0.1:${port}/`,
        ),
    },
    {
      name: 'nginx proxy_pass',
      start: (port, upstream) =>
        startNginx(port, NGINX_LOCATION, {
          http: `upstream backend { server 127.0.0.1:${upstream}; keepalive 256; }`,
        }),
    },
    {
      name: 'node:http proxy',
      start: (port, upstream) => startPeer('node-http-proxy.js', port, '--backend', String(upstream)),
    },
    {
      name: 'bare node:net relay',
      start: (port, upstream) => startPeer('bare-relay.js', port, '--backend', String(upstream)),
    },
    {
      name: SERVER_HALF,
      start: (port) => startPeer('same-bytes-handler.js', port, '--body', body, '--fields', backendFields),
    },
    { name: CLIENT_HALF },
  ];
  try {
    const results = await alternatingRounds<Peer, Measurement>(ROUNDS, peers, async (peer) => {
      if (peer.start === undefined) {
        // The proxy's own client work: 50 requests in flight on core 0, where the proxy runs.
        const [rps, cpuMicros] = clientLoad('basehttp', 'small', `http://127.0.0.1:${backendPort}/`, '0');
        return { rps: rps!, cpuMicros: cpuMicros!, p99Ms: NaN, bytesPerSec: NaN, rssGrowthKiB: NaN };
      }
      const port = await freePort();
      const server = await peer.start(port, backendPort);
      if (server === null) return null;
      try {
        return measure(server.pid, `http://127.0.0.1:${port}/`, { seconds: SECONDS });
      } finally {
        await server.stop();
      }
    });
    const ours = results.get('basehttp --proxy')!;
    const proxies = peers.filter((p) => p.name !== CLIENT_HALF && p.name !== SERVER_HALF).map((p) => p.name);
    printTable(
      `reverse proxy to nginx return 200 (${backend.version}), keep-alive both sides, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
      ['proxy', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×', 'CPU: peer / basehttp'],
      ratioRows(proxies, results, ours),
    );
    printFloor(results);
  } finally {
    await backend.stop();
    rmSync(empty, { recursive: true, force: true });
    rmSync(dirname(body), { recursive: true, force: true });
  }
}

/**
 * basehttp's two halves against the target's budget, each a median over rounds: the budget is the CPU per
 * request a proxy pinned to one core may spend to serve `TARGET` × nginx's requests/s of that round.
 */
function printFloor(results: Map<string, Array<Measurement | null>>): void {
  const nginx = results.get('nginx proxy_pass')!;
  const server = results.get(SERVER_HALF)!;
  const client = results.get(CLIENT_HALF)!;
  const ours = results.get('basehttp --proxy')!;
  const budget = nginx.map((n) => (n === null ? null : 1e6 / (TARGET * n.rps)));
  const halves = server.map((s, i) => {
    const c = client[i];
    return s === null || c === null || c === undefined ? null : s.cpuMicros + c.cpuMicros;
  });
  const micros = (r: Measurement): number => r.cpuMicros;
  printTable(
    `basehttp's two halves measured alone, against the budget ${TARGET} × nginx leaves (CPU µs per request, medians over rounds)`,
    ['', 'CPU µs/req'],
    [
      [SERVER_HALF, medianOf(server, micros)],
      [`${CLIENT_HALF} (50 in flight, core 0)`, medianOf(client, micros)],
      ['the two halves added', medianOf(halves, (h) => h)],
      ['basehttp --proxy', medianOf(ours, micros)],
      [`budget for ${TARGET} × nginx (1e6 / (${TARGET} × nginx req/s))`, medianOf(budget, (b) => b)],
      ['halves ÷ budget (median per round)', medianRatio(halves, budget, (x) => x)],
    ],
  );
}

/**
 * Reverse proxy: `basehttp --proxy /=URL` against nginx `proxy_pass` (`proxy_http_version 1.1`,
 * `proxy_set_header Connection ""`), both in front of the same backend (nginx `return 200`, free to run on
 * either core), each proxy pinned to core 0, wrk on core 1 with keep-alive. Like with like: each may keep as
 * many backend connections as wrk has client connections (nginx `keepalive 256`, basehttp's default
 * `connections` 256), and nginx sends the backend the four forwarding fields basehttp sends.
 * Rounds alternate the order; the ratio is the median of per-round ratios, with the proxy's CPU µs/request.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alternatingRounds,
  basehttpArgs,
  freePort,
  measure,
  printTable,
  ratioRows,
  startNginx,
  startProcess,
  type Measurement,
} from './lib.js';

const ROUNDS = Number(process.env['PROXY_BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['PROXY_BENCH_SECONDS'] ?? 3);

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

interface Peer {
  name: string;
  start: (port: number, backend: number) => Promise<{ stop: () => Promise<void>; pid: number } | null>;
}

export async function run(): Promise<void> {
  const backendPort = await freePort();
  const backend = await startNginx(backendPort, 'location / { return 200 "hello from the backend\\n"; }', {
    unpinned: true,
  });
  if (backend === null) {
    console.log('\nproxy: nginx is not installed (apt-get install nginx-light); skipped');
    return;
  }
  const empty = mkdtempSync(join(tmpdir(), 'basehttp-bench-proxy-'));
  const peers: Peer[] = [
    {
      name: 'basehttp --proxy',
      start: async (port, upstream) => {
        const args = basehttpArgs(empty, port, '--proxy', `/=http://127.0.0.1:${upstream}`);
        const proc = await startProcess(process.execPath, args, { url: `http://127.0.0.1:${port}/` });
        return { stop: proc.stop, pid: proc.child.pid! };
      },
    },
    {
      name: 'nginx proxy_pass',
      start: (port, upstream) =>
        startNginx(port, NGINX_LOCATION, {
          http: `upstream backend { server 127.0.0.1:${upstream}; keepalive 256; }`,
        }),
    },
  ];
  try {
    const results = await alternatingRounds<Peer, Measurement>(ROUNDS, peers, async (peer) => {
      const port = await freePort();
      const server = await peer.start(port, backendPort);
      if (server === null) return null;
      try {
        return measure(server.pid, `http://127.0.0.1:${port}/`, { seconds: SECONDS });
      } finally {
        await server.stop();
      }
    });
    printTable(
      `reverse proxy to nginx return 200 (${backend.version}), keep-alive both sides, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
      ['proxy', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×', 'CPU: peer / basehttp'],
      ratioRows(
        peers.map((p) => p.name),
        results,
        results.get('basehttp --proxy')!,
      ),
    );
  } finally {
    await backend.stop();
  }
}

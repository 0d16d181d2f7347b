/**
 * HTTPS: a 1 KiB file over TLS with keep-alive. The `basehttp` command against nginx (one worker, the same
 * certificate, TLS 1.3 as Node's default), a bare `node:tls` responder sending basehttp's bytes without parsing
 * (the ceiling for any server on Node), and between them the protocol-only responder over TLS: parsing and
 * head building alone, the most a conforming server on Node can do (as in the hello bench). All are pinned to
 * core 0 and wrk to core 1; rounds alternate and the ratio is the median of per-round ratios. The cipher each
 * server negotiated is printed beside it, so a difference in the handshake's choice cannot hide in the ratio.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  basehttpArgs,
  freePort,
  keptAliveResponse,
  makeCertificate,
  measure,
  medianOf,
  medianRatio,
  printTable,
  startNginx,
  startNode,
  type MeasuredServer,
  type Measurement,
} from './lib.js';

const ROUNDS = 3;
const SECONDS = 3;
const here = fileURLToPath(new URL('.', import.meta.url));

/** The TLS version and cipher a server chooses for a default client. */
async function negotiated(port: number): Promise<string> {
  const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const chosen = `${socket.getProtocol() ?? '?'} ${socket.getCipher().standardName}`;
  socket.destroy();
  return chosen;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-bench-https-'));
  const pair = makeCertificate(dir);
  if (pair === null) {
    rmSync(dir, { recursive: true, force: true });
    console.log('\nhttps: needs openssl to make a certificate; skipped');
    return;
  }
  const { cert, key } = pair;
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  const ciphers = new Map<string, string>();
  const startTLSNode = (port: number, args: string[]): Promise<MeasuredServer> =>
    startNode(args, `https://127.0.0.1:${port}/`);
  const basehttp = (port: number): Promise<MeasuredServer> =>
    startTLSNode(port, basehttpArgs(dir, port, '--tls-cert', cert, '--tls-key', key));
  const samplePort = await freePort();
  const sample = await basehttp(samplePort);
  const response = await keptAliveResponse(
    tls.connect({ port: samplePort, host: '127.0.0.1', rejectUnauthorized: false }),
    '/small.bin',
  ).finally(sample.stop);
  /** A responder replaying basehttp's answer over TLS, started from its script in bench/peers. */
  const replaying =
    (script: string) =>
    (port: number): Promise<MeasuredServer> =>
      startTLSNode(port, [
        `${here}peers/${script}`,
        '--port',
        String(port),
        '--cert',
        cert,
        '--key',
        key,
        '--response',
        response.toString('base64'),
      ]);
  const servers = [
    { name: 'basehttp', start: basehttp },
    { name: 'protocol layer only', start: replaying('protocol-only.js') },
    { name: 'bare node:tls', start: replaying('bare-tls.js') },
    {
      name: 'nginx',
      start: (port: number) =>
        startNginx(
          port,
          `root ${dir}; ssl_certificate ${cert}; ssl_certificate_key ${key}; ssl_protocols TLSv1.3;`,
          { ssl: true },
        ),
    },
  ];
  try {
    const results = await alternatingRounds<(typeof servers)[number], Measurement>(
      ROUNDS,
      servers,
      async (s) => {
        const port = await freePort();
        const server = await s.start(port);
        if (server === null) return null;
        try {
          ciphers.set(s.name, await negotiated(port));
          return measure(server.pid, `https://127.0.0.1:${port}/small.bin`, { seconds: SECONDS });
        } finally {
          await server.stop();
        }
      },
    );
    const ours = results.get('basehttp')!;
    printTable(
      `HTTPS 1 KiB file, wrk -t1 -c50 -d${SECONDS}s keep-alive, ${ROUNDS} rounds alternating; basehttp × = median of per-round ratios`,
      ['server', 'TLS', 'req/s', 'p99 ms', 'CPU µs/req', 'basehttp ×'],
      servers
        .filter((s) => ciphers.has(s.name))
        .map((s) => {
          const r = results.get(s.name)!;
          return [
            s.name,
            ciphers.get(s.name)!,
            medianOf(r, (x) => x.rps),
            medianOf(r, (x) => x.p99Ms),
            medianOf(r, (x) => x.cpuMicros),
            medianRatio(ours, r, (x) => x.rps),
          ];
        }),
    );
    // What the target leaves basehttp: how near nginx the floor and the ceiling came in these same rounds.
    const nginx = results.get('nginx')!;
    for (const name of ['protocol layer only', 'bare node:tls']) {
      const peer = results.get(name)!;
      if (!peer.some((r) => r !== null) || !nginx.some((r) => r !== null)) continue;
      console.log(
        `${name} ÷ nginx (median of per-round ratios): ${medianRatio(peer, nginx, (x) => x.rps).toFixed(2)} ×`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

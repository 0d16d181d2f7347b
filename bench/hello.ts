/**
 * Hello-world over keep-alive: basehttp's `examples/hello` against an equivalent `node:http` server, and a
 * bare `node:net` responder writing basehttp's very bytes as the ceiling; rounds alternate the order, and
 * every ratio is the median of per-round ratios.
 */
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  alternatingRounds,
  freePort,
  measure,
  medianOf,
  medianRatio,
  printTable,
  startProcess,
  type Measurement,
} from './lib.js';

const ROUNDS = 5;
const SECONDS = 4;
const here = fileURLToPath(new URL('.', import.meta.url));
const HELLO = `${here}../examples/hello.js`;

/** The whole response a server sends to one GET / (it must end its body by Content-Length). */
async function responseBytes(port: number): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  socket.end('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  // Answer keep-alive requests the same way: without the Connection: close this request asked for.
  return Buffer.from(Buffer.concat(chunks).toString('latin1').replace('Connection: close\r\n', ''), 'latin1');
}

async function start(args: string[]): Promise<{ stop: () => Promise<void>; pid: number; port: number }> {
  const port = await freePort();
  const proc = await startProcess(process.execPath, [...args, '--port', String(port)], {
    url: `http://127.0.0.1:${port}/`,
  });
  return { stop: proc.stop, pid: proc.child.pid!, port };
}

export async function run(): Promise<void> {
  const sample = await start([HELLO, '--quiet']);
  const response = await responseBytes(sample.port).finally(sample.stop);
  const servers = [
    { name: 'basehttp', args: [HELLO, '--quiet'] },
    { name: 'node:http', args: [`${here}peers/node-http-hello.js`] },
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
    servers.map((s) => {
      const r = results.get(s.name)!;
      return [
        s.name,
        medianOf(r, (x) => x.rps),
        medianOf(r, (x) => x.p99Ms),
        medianOf(r, (x) => x.cpuMicros),
        medianRatio(ours, r, (x) => x.rps),
        medianRatio(r, ours, (x) => x.cpuMicros),
      ];
    }),
  );
}

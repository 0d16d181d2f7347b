/**
 * Uploads. `curl -T` of a 256 MiB file to `basehttp --upload --overwrite` and to nginx's dav module
 * (`dav_methods PUT`, one worker, body buffered to its temp path, then renamed into place, as basehttp does),
 * each server pinned to core 0 and curl to core 1. Rounds alternate the order; the ratio is the median of
 * per-round ratios of MB/s, beside each server's CPU per MiB and its peak resident memory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alternatingRounds,
  basehttpArgs,
  cpuSeconds,
  freePort,
  hasCommand,
  medianOf,
  medianRatio,
  peakRssKiB,
  printTable,
  startNginx,
  startProcess,
} from './lib.js';

const ROUNDS = 4;
const SIZE = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

interface Server {
  name: string;
  port: number;
  pid: number;
  stop: () => Promise<void>;
}

interface Upload {
  /** Upload speed as curl measured it, in MB/s (10^6 bytes). */
  mbPerSecond: number;
  /** The server's CPU time per MiB uploaded, in ms. */
  cpuMsPerMiB: number;
}

/** One `curl -T` of `file` to the server, pinned to core 1; throws unless the answer is 201 or 204. */
function upload(server: Server, file: string, name: string): Upload {
  const cpuBefore = cpuSeconds(server.pid);
  const curl = ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{speed_upload}', '-T', file];
  const [cmd, ...args] = hasCommand('taskset') ? ['taskset', '-c', '1', ...curl] : curl;
  const out = execFileSync(cmd!, [...args, `http://127.0.0.1:${server.port}/${name}`], { encoding: 'utf8' });
  const [status, speed] = out.trim().split(' ');
  if (status !== '201' && status !== '204') throw new Error(`${server.name} answered ${status}`);
  return {
    mbPerSecond: Number(speed) / 1e6,
    cpuMsPerMiB: ((cpuSeconds(server.pid) - cpuBefore) * 1000) / (SIZE / MIB),
  };
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'basehttp-bench-upload-'));
  const file = join(work, 'upload.bin');
  writeFileSync(file, '');
  truncateSync(file, SIZE);
  const servers: Server[] = [];
  try {
    const ours = join(work, 'basehttp');
    mkdirSync(ours);
    const port = await freePort();
    const proc = await startProcess(process.execPath, basehttpArgs(ours, port, '--upload', '--overwrite'), {
      url: `http://127.0.0.1:${port}/`,
    });
    servers.push({ name: 'basehttp --upload', port, pid: proc.child.pid!, stop: proc.stop });
    const davRoot = join(work, 'nginx');
    mkdirSync(davRoot);
    const davPort = await freePort();
    const nginx = await startNginx(
      davPort,
      `root ${davRoot}; location / { dav_methods PUT; create_full_put_path on; client_max_body_size 0; }`,
    );
    if (nginx === null) console.error('nginx: not installed, measured alone');
    else
      servers.push({ name: `nginx dav (${nginx.version})`, port: davPort, pid: nginx.pid, stop: nginx.stop });
    let n = 0;
    const results = await alternatingRounds(ROUNDS, servers, (server) =>
      Promise.resolve(upload(server, file, `round-${n++}.bin`)),
    );
    const basehttp = results.get(servers[0]!.name)!;
    printTable(
      `upload: curl -T of ${SIZE / MIB} MiB, ${ROUNDS} rounds alternating`,
      ['server', 'MB/s', 'CPU ms/MiB', 'peak RSS MiB', 'basehttp MB/s ÷ it'],
      servers.map((server) => {
        const r = results.get(server.name)!;
        return [
          server.name,
          medianOf(r, (x) => x.mbPerSecond),
          medianOf(r, (x) => x.cpuMsPerMiB),
          peakRssKiB(server.pid) / 1024,
          medianRatio(basehttp, r, (x) => x.mbPerSecond),
        ];
      }),
    );
  } finally {
    for (const server of servers) await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `npm run bench:ab -- A [B] [--area hello|static|https|proxy] [--rounds N] [--seconds S]`: what a change
 * buys, as B ÷ A. A and B are checkouts with a build (a directory) or git revisions, which are checked out
 * into a temporary worktree and built there; B is this checkout when left out.
 *
 * Each round starts both servers afresh, pinned to core 0 together, and loads them **at the same time** with
 * one wrk each on core 1; the round's ratios are B's requests/s and CPU µs per request over A's. Measured one
 * after the other, two builds of the same server gave per-round ratios from 0.6 to 1.6 on a machine whose
 * speed swings within seconds; loaded together, both see the same machine, and the CPU ratio's spread falls to
 * a few hundredths. Only builds of the same server compare fairly this way: two processes sharing one core
 * also share its caches, which costs the one with more code and data more (basehttp against a bare responder
 * reads about 1.5 × here, 1.2–1.6 × alone), so peers are measured by `npm run bench`, one at a time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  basehttpArgsOf,
  cpuSeconds,
  freePort,
  machineLine,
  makeCertificate,
  median,
  printTable,
  startNginx,
  startNode,
  wrkInBackground,
  WARM_UP_SECONDS,
  type MeasuredServer,
} from './lib.js';

/** The areas, and what each needs besides Node and wrk. */
const NEEDS: Record<string, string> = { hello: '', static: '', https: 'openssl', proxy: 'nginx' };
const here = fileURLToPath(new URL('../..', import.meta.url));

/** A build under comparison: where it is, what to call it, and how to clean up after it. */
interface Build {
  root: string;
  label: string;
  remove: () => void;
}

/** What a round starts for one build, and the URL the load asks for. */
interface Area {
  describe: string;
  start: (root: string, port: number) => Promise<MeasuredServer>;
  url: (port: number) => string;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The commit a checkout is at, marked when its files differ from it. */
function describeCheckout(root: string): string {
  try {
    return `${git(root, 'rev-parse', '--short', 'HEAD')}${git(root, 'status', '--porcelain', '--untracked-files=no') === '' ? '' : '+changes'}`;
  } catch {
    return root;
  }
}

/**
 * A directory is used as it is, and must hold a build; anything else is a git revision of this repository,
 * checked out into a temporary worktree that borrows this checkout's node_modules and is built with its tsc.
 */
function prepare(spec: string): Build {
  const dir = resolve(spec);
  if (existsSync(dir)) {
    if (!existsSync(join(dir, 'build/src/cli/main.js')))
      throw new Error(`${spec} has no build/src/cli/main.js: run npm run build in it first`);
    return { root: dir, label: `${spec} (${describeCheckout(dir)})`, remove: () => {} };
  }
  let commit: string;
  try {
    commit = git(here, 'rev-parse', '--verify', '--quiet', `${spec}^{commit}`);
  } catch {
    throw new Error(`${spec} is neither a directory nor a git revision of ${here}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'basehttp-ab-'));
  const remove = (): void => {
    execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', root], { stdio: 'ignore' });
  };
  execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', root, commit], { stdio: 'ignore' });
  try {
    symlinkSync(join(here, 'node_modules'), join(root, 'node_modules'));
    execFileSync(process.execPath, [join(here, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (err) {
    remove();
    throw new Error(`building ${spec} failed`, { cause: err });
  }
  return { root, label: `${spec} (${commit.slice(0, 7)})`, remove };
}

/** The areas of `npm run bench` whose servers are basehttp alone, set up in `dir`. */
async function areas(
  dir: string,
  wanted: string,
): Promise<{ areas: Record<string, Area>; stop: () => Promise<void> }> {
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(1024, 0x61));
  const pair = wanted === 'https' ? makeCertificate(dir) : null;
  const backendPort = await freePort();
  const backend =
    wanted === 'proxy'
      ? await startNginx(backendPort, 'location / { default_type text/plain; return 200 "ok\\n"; }', {
          unpinned: true,
        })
      : null;
  const plain = (port: number): string => `http://127.0.0.1:${port}/`;
  const serve =
    (...extra: string[]) =>
    (root: string, port: number): Promise<MeasuredServer> =>
      startNode(basehttpArgsOf(root, dir, port, ...extra), plain(port));
  const found: Record<string, Area> = {
    hello: {
      describe: 'examples/hello',
      start: (root, port) =>
        startNode([join(root, 'build/examples/hello.js'), '--quiet', '--port', String(port)], plain(port)),
      url: plain,
    },
    static: {
      describe: 'a 1 KiB file from the basehttp command',
      start: serve(),
      url: (port) => `http://127.0.0.1:${port}/small.bin`,
    },
  };
  if (pair !== null) {
    found.https = {
      describe: 'a 1 KiB file over TLS 1.3 from the basehttp command',
      start: (root, port) =>
        startNode(
          basehttpArgsOf(root, dir, port, '--tls-cert', pair.cert, '--tls-key', pair.key),
          `https://127.0.0.1:${port}/`,
        ),
      url: (port) => `https://127.0.0.1:${port}/small.bin`,
    };
  }
  if (backend !== null) {
    found.proxy = {
      describe: `basehttp --proxy to nginx return 200 (${backend.version}, on either core)`,
      start: serve('--proxy', `/=http://127.0.0.1:${backendPort}`),
      url: plain,
    };
  }
  return { areas: found, stop: async () => void (await backend?.stop()) };
}

/** One round: both builds started afresh, warmed up and measured under simultaneous load. */
async function round(
  area: Area,
  builds: [Build, Build],
  seconds: number,
  swap: boolean,
): Promise<Array<{ rps: number; cpuMicros: number }>> {
  const ports = [await freePort(), await freePort()];
  const servers: MeasuredServer[] = [];
  try {
    for (const i of swap ? [1, 0] : [0, 1]) servers[i] = await area.start(builds[i]!.root, ports[i]!);
    const load = (s: number): Promise<Array<{ rps: number }>> => {
      const order = swap ? [1, 0] : [0, 1];
      const runs = order.map((i) => wrkInBackground(area.url(ports[i]!), { connections: 50, seconds: s }));
      return Promise.all(runs).then((r) => (swap ? [r[1]!, r[0]!] : r));
    };
    await load(WARM_UP_SECONDS);
    const before = servers.map((s) => cpuSeconds(s.pid));
    const results = await load(seconds);
    return results.map((r, i) => ({
      rps: r.rps,
      cpuMicros: ((cpuSeconds(servers[i]!.pid) - before[i]!) / (r.rps * seconds)) * 1e6,
    }));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(values).toFixed(3)} (${sorted[0]!.toFixed(3)}–${sorted.at(-1)!.toFixed(3)})`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      area: { type: 'string', default: 'hello' },
      rounds: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '3' },
    },
  });
  if (!(values.area in NEEDS)) {
    console.error(`unknown area ${values.area} (have: ${Object.keys(NEEDS).join(', ')})`);
    process.exit(2);
  }
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  if (positionals.length < 1 || positionals.length > 2 || !(rounds >= 1) || !(seconds >= 1)) {
    console.error(
      'usage: npm run bench:ab -- A [B] [--area hello|static|https|proxy] [--rounds N] [--seconds S]\n' +
        '  A, B: a checkout with a build, or a git revision (built in a temporary worktree); B defaults to this checkout',
    );
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-ab-files-'));
  const built: Build[] = [];
  const setup = await areas(dir, values.area);
  try {
    const area = setup.areas[values.area];
    if (area === undefined) throw new Error(`area ${values.area} needs ${NEEDS[values.area]}`);
    built.push(prepare(positionals[0]!));
    built.push(
      positionals[1] === undefined
        ? { root: here, label: `this checkout (${describeCheckout(here)})`, remove: () => {} }
        : prepare(positionals[1]),
    );
    const builds = built as [Build, Build];
    console.log(machineLine());
    const rows: Array<Array<string | number>> = [];
    const rpsRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await round(area, builds, seconds, r % 2 === 1);
      rpsRatios.push(b!.rps / a!.rps);
      cpuRatios.push(b!.cpuMicros / a!.cpuMicros);
      rows.push([
        String(r + 1),
        Math.round(a!.rps),
        a!.cpuMicros,
        Math.round(b!.rps),
        b!.cpuMicros,
        rpsRatios.at(-1)!.toFixed(3),
        cpuRatios.at(-1)!.toFixed(3),
      ]);
    }
    printTable(
      `${values.area}: ${area.describe}; A = ${builds[0].label}, B = ${builds[1].label}; both on core 0, loaded at once by a wrk -t1 -c50 each on core 1, ${rounds} rounds of ${seconds} s after ${WARM_UP_SECONDS} s of load, fresh servers each round`,
      ['round', 'A req/s', 'A CPU µs/req', 'B req/s', 'B CPU µs/req', 'B ÷ A req/s', 'B ÷ A CPU'],
      rows,
    );
    console.log(
      `\nB ÷ A, median (range) of ${rounds} rounds: req/s ${spread(rpsRatios)}, CPU per request ${spread(cpuRatios)}`,
    );
  } finally {
    for (const b of built) b.remove();
    await setup.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((err: Error) => {
  console.error(`bench:ab: ${err.message}`);
  process.exit(1);
});

/**
 * Installing basehttp as a user does, from the packed tarball and from a git URL, into fresh projects: the
 * README's first example compiled with the project's own tsc and served, and the `basehttp` bin. The package
 * is made from a copy of the working tree (so uncommitted changes are what gets packed), committed to a git
 * repository of its own for the git URL install. npm runs offline where it can, from the machine's one npm
 * cache; the tarball's runtime dependency comes from the registry (or that cache), as a user's does.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inNamespace, namespaceRefusal } from '../helpers/network-namespace.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SERVE_AND_FETCH = fileURLToPath(new URL('./serve-and-fetch.js', import.meta.url));
const exec = promisify(execFile);
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
/** The tsconfig the README tells users to write. */
const TSCONFIG = {
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    strict: true,
    skipLibCheck: true,
  },
};
const FIRST = firstTsBlock(readFileSync(path.join(REPO, 'README.md'), 'utf8'));

/** The README's first ```ts block, the one a newcomer copies first, and the line its code starts on. */
function firstTsBlock(readme: string): { code: string; line: number } {
  const m = /^```ts\n([\s\S]*?)^```$/m.exec(readme);
  assert.ok(m !== null, 'the README has no ```ts block');
  return { code: m[1]!, line: readme.slice(0, m.index).split('\n').length + 1 };
}

/** npm's own variables from the `npm test` around this run are left out: each project is a fresh one. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));

/** Runs a command in `cwd`; rejects with its output when it fails. */
async function run(cwd: string, file: string, args: string[], timeout = 600_000): Promise<string> {
  try {
    const { stdout } = await exec(file, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout}\n${e.stderr}`, {
      cause: err,
    });
  }
}

/** The version of a dev dependency installed here: the projects take the same one, from the npm cache. */
function installedVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A fresh `npm init -y` project (CommonJS by default) with basehttp from `spec`, TypeScript and Node types. */
async function project(dir: string, spec: string, esm: boolean): Promise<string> {
  mkdirSync(dir);
  await run(dir, 'npm', ['init', '-y']);
  if (esm) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, type: 'module' }, null, 2));
  }
  const tools = [
    `typescript@${installedVersion('typescript')}`,
    `@types/node@${installedVersion('@types/node')}`,
  ];
  await run(dir, 'npm', ['install', ...NPM_FLAGS, spec, ...tools]);
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  return dir;
}

/** Compiles `file` (the README's first example) with the project's tsc; the compiler's output if it fails. */
async function compile(dir: string, file: string): Promise<string | null> {
  writeFileSync(path.join(dir, file), FIRST.code);
  try {
    await exec('npx', ['--no', '--', 'tsc', '-p', '.'], { cwd: dir, env, timeout: 300_000 });
    return null;
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: unknown };
    // tsc exits 1 or 2 with its diagnostics on stdout; anything else (no tsc, a timeout) is not a compile.
    if (typeof e.code !== 'number' || e.stdout === '') throw err;
    return e.stdout;
  }
}

/** Runs a compiled first example, unchanged, and sends it the request its first `do<METHOD>` answers. */
async function serveFirstExample(program: string): Promise<{ status: number; body: string }> {
  const method = /\bdo([A-Z]+)\s*\(/.exec(FIRST.code)?.[1] ?? 'GET';
  const argv = [process.execPath, SERVE_AND_FETCH, program, method];
  const [file, args] = namespaceRefusal() === null ? inNamespace(argv) : [argv[0]!, argv.slice(1)];
  return JSON.parse(await run(path.dirname(program), file, args, 60_000)) as { status: number; body: string };
}

/** `npx basehttp` serving a directory on 127.0.0.1: what GET /hello.txt answers. */
async function serveDirectory(dir: string): Promise<string> {
  const site = path.join(dir, 'site');
  mkdirSync(site, { recursive: true });
  writeFileSync(path.join(site, 'hello.txt'), 'hello from the bin\n');
  // Its own process group: npx runs the bin as a child, and both stop together.
  const child = spawn('npx', ['--no', '--', 'basehttp', '-b', '127.0.0.1', '-d', site, '0'], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /port (\d+) /.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`npx basehttp exited (${code}): ${out}`)));
    });
    return await (await fetch(`http://127.0.0.1:${port}/hello.txt`)).text();
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
}

/** The bin as a user meets it: `--help`, then serving a directory. */
async function checkBin(dir: string): Promise<void> {
  assert.match(await run(dir, 'npx', ['--no', '--', 'basehttp', '--help']), /^usage: basehttp /);
  assert.equal(await serveDirectory(dir), 'hello from the bin\n');
}

describe(`installing the package (first example: the README's first \`\`\`ts block, line ${FIRST.line})`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'basehttp-package-'));
  const tree = path.join(work, 'tree');
  let tarball = '';
  /** The three projects, made side by side in before() (installs mostly wait on npm). */
  const dirs = { esm: path.join(work, 'esm'), cjs: path.join(work, 'cjs'), git: path.join(work, 'git') };

  before(async () => {
    // The working tree as git sees it (tracked and new files, not ignored ones), as a repository of its own.
    const files = (await run(REPO, 'git', ['ls-files', '-co', '--exclude-standard', '-z']))
      .split('\0')
      .filter((f) => f !== '' && existsSync(path.join(REPO, f)));
    for (const f of files) {
      mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
      copyFileSync(path.join(REPO, f), path.join(tree, f));
    }
    const git = ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'commit.gpgsign=false'];
    await run(tree, 'git', ['init', '-q']);
    await run(tree, 'git', ['add', '-A']);
    await run(tree, 'git', [...git, 'commit', '-q', '-m', 'the working tree']);
    const fromGit = project(dirs.git, `git+file://${tree}`, true);
    // `npm pack` runs `prepare` (the build), which needs the dev dependencies: this checkout's.
    symlinkSync(path.join(REPO, 'node_modules'), path.join(tree, 'node_modules'));
    const packed = JSON.parse(
      await run(tree, 'npm', ['pack', '--json', '--pack-destination', work]),
    ) as Array<{
      filename: string;
    }>;
    tarball = path.join(work, packed[0]!.filename);
    await Promise.all([project(dirs.esm, tarball, true), project(dirs.cjs, tarball, false), fromGit]);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the tarball ships the build, its types, the bin and LICENSE, and no source maps or sources', async () => {
    const listed = (await run(work, 'tar', ['-tzf', tarball])).split('\n').filter((l) => l !== '');
    for (const f of ['LICENSE', 'README.md', 'package.json', 'build/src/index.js', 'build/src/index.d.ts']) {
      assert.ok(listed.includes(`package/${f}`), f);
    }
    assert.ok(listed.includes('package/build/src/cli/main.js'));
    assert.deepEqual(
      listed.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
      [],
    );
    assert.ok(!listed.some((f) => f.startsWith('package/build/test/')));
    const main = await run(work, 'tar', ['-xzOf', tarball, 'package/build/src/index.js']);
    assert.doesNotMatch(main, /sourceMappingURL/, 'no pointer to a map the package does not ship');
  });

  it('a TypeScript project ("type": "module", NodeNext) compiles and serves the first example', async () => {
    assert.equal(await compile(dirs.esm, 'server.ts'), null);
    assert.equal((await serveFirstExample(path.join(dirs.esm, 'server.js'))).status, 200);
    await checkBin(dirs.esm);
  });

  it('a CommonJS project (npm init -y): TS1309 for top-level await in a .ts file, and a .mts file works', async () => {
    // What the README warns about: in a CommonJS project a .ts file is a CommonJS module.
    assert.match((await compile(dirs.cjs, 'server.ts')) ?? '', /server\.ts.*error TS1309: .*CommonJS module/);
    for (const f of ['server.ts', 'server.js']) rmSync(path.join(dirs.cjs, f), { force: true });
    assert.equal(await compile(dirs.cjs, 'server.mts'), null);
    assert.equal((await serveFirstExample(path.join(dirs.cjs, 'server.mjs'))).status, 200);
    await checkBin(dirs.cjs);
  });

  it('a git URL install builds the package (prepare): the first example and the bin work', async () => {
    assert.ok(existsSync(path.join(dirs.git, 'node_modules/basehttp/build/src/index.js')));
    assert.equal(await compile(dirs.git, 'server.ts'), null);
    assert.equal((await serveFirstExample(path.join(dirs.git, 'server.js'))).status, 200);
    await checkBin(dirs.git);
  });
});

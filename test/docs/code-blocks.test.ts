/**
 * Every code block of the README and docs/ is checked, so that examples cannot rot: `ts` blocks are type-checked
 * in a project set up as the README's Install section says (one compiler run for all of them), those marked
 * `<!-- run … -->` are run and asked over loopback, `json` blocks parse, and `sh` lines that run our command or
 * our npm scripts name flags and scripts that exist. A failure names the page and line of the block.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { UsageError } from '../../src/cli/flags.js';
import { GET_USAGE } from '../../src/cli/get.js';
import { parseServeArgs } from '../../src/cli/serve-args.js';
import { ROOT, codeBlocks, readDoc, type CodeBlock } from '../helpers/docs.js';

const ROOT_PATH = fileURLToPath(ROOT);
const BLOCKS = codeBlocks();
const TS_BLOCKS = BLOCKS.filter((block) => block.lang === 'ts');
const SCRIPTS = (JSON.parse(readDoc('package.json')) as { scripts: Record<string, string> }).scripts;

/** Where a block is, as an editor opens it. */
function where(block: CodeBlock, offset = 0): string {
  return `${block.page}:${block.line + offset}`;
}

/** The README's `tsconfig.json` (the first json block of its Install section): what users are told to use. */
function readmeTsconfig(): { compilerOptions: Record<string, unknown> } {
  const readme = readDoc('README.md');
  const install = readme.slice(readme.indexOf('## Install'));
  const json = /```json\n([\s\S]*?)```/.exec(install);
  assert.ok(json !== null, "README's Install section has no json block");
  return JSON.parse(json[1]!) as { compilerOptions: Record<string, unknown> };
}

/** A fresh project as a user has it: ESM, the tsconfig above, basehttp, @types/node and hono installed (linked). */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-docs-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(readmeTsconfig()));
  mkdirSync(join(dir, 'node_modules'));
  // The repository root is the package: `basehttp` resolves through its package.json "exports" to build/.
  symlinkSync(ROOT_PATH, join(dir, 'node_modules', 'basehttp'), 'dir');
  symlinkSync(join(ROOT_PATH, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  // docs/fetch.md shows Hono apps, as their users write them.
  symlinkSync(join(ROOT_PATH, 'node_modules', 'hono'), join(dir, 'node_modules', 'hono'), 'dir');
  mkdirSync(join(dir, 'src'));
  return dir;
}

/** A block as a module: the code itself, or for a fragment its imports then the rest in an async function. */
interface Module {
  block: CodeBlock;
  name: string;
  text: string;
  /** For each line of `text`, its line offset in the block. */
  offsets: number[];
}

function moduleOf(block: CodeBlock): Module {
  const name = `${block.page.replace(/\W+/g, '-')}-${block.line}`;
  const lines = block.code.split('\n');
  if (block.marker !== 'fragment') return { block, name, text: block.code, offsets: lines.map((_, i) => i) };
  const isImport = (line: string) => line.startsWith('import ');
  const order = [
    ...lines.flatMap((line, i) => (isImport(line) ? [i] : [])),
    -1,
    ...lines.flatMap((line, i) => (isImport(line) ? [] : [i])),
    -2,
  ];
  const wrapper: Record<number, string> = {
    [-1]: 'export async function fragment(): Promise<void> {',
    [-2]: '}',
  };
  return {
    block,
    name,
    text: order.map((i) => wrapper[i] ?? lines[i]!).join('\n'),
    offsets: order.map((i) => Math.max(i, 0)),
  };
}

/** Type-checks every module in one program and emits them; returns the errors, each at its page and line. */
function compile(dir: string, modules: Module[]): string[] {
  const byFile = new Map<string, Module>();
  for (const module of modules) {
    const file = join(dir, 'src', `${module.name}.ts`);
    writeFileSync(file, module.text);
    byFile.set(file, module);
  }
  const converted = ts.convertCompilerOptionsFromJson(
    readmeTsconfig().compilerOptions,
    dir,
    join(dir, 'tsconfig.json'),
  );
  assert.deepEqual(converted.errors, [], "the README's tsconfig.json has options the compiler does not know");
  const options = {
    ...converted.options,
    rootDir: join(dir, 'src'),
    outDir: join(dir, 'out'),
    skipLibCheck: true,
  };
  const program = ts.createProgram([...byFile.keys()], options);
  program.emit();
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const module = diagnostic.file === undefined ? undefined : byFile.get(diagnostic.file.fileName);
    if (module === undefined || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return `${where(module.block, module.offsets[line])}: TS${diagnostic.code}: ${message}`;
  });
}

/** What a `<!-- run … -->` marker asks: run to the end, or serve and answer one request. */
type Run =
  | { kind: 'exit'; code: number }
  | { kind: 'serve'; method: string; path: string; status: number; body: string | undefined };

function runOf(block: CodeBlock): Run {
  const marker = block.marker!;
  if (marker === 'run') return { kind: 'serve', method: 'GET', path: '/', status: 200, body: undefined };
  const exit = /^run: exit (\d+)$/.exec(marker);
  if (exit !== null) return { kind: 'exit', code: Number(exit[1]) };
  const serve = /^run: ([A-Z]+) (\/\S*) (\d{3})(?: (.+))?$/.exec(marker);
  assert.ok(serve !== null, `${where(block)}: a marker the test does not know: <!-- ${marker} -->`);
  return { kind: 'serve', method: serve[1]!, path: serve[2]!, status: Number(serve[3]), body: serve[4] };
}

/** The body's type: JSON when it parses as JSON, else a form. */
function contentType(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'application/x-www-form-urlencoded';
  }
}

/** Runs a block's program in the project, with PORT=0 so that it listens on a free port. */
async function runBlock(dir: string, module: Module, run: Run): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  delete env.NODE_TEST_CONTEXT; // a program using node:test reports as a program of its own
  const child = spawn(process.execPath, [join(dir, 'out', `${module.name}.js`)], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (output += data));
  child.stderr.setEncoding('utf8').on('data', (data: string) => (output += data));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const at = where(module.block);
  const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    if (run.kind === 'exit') {
      const [code, signal] = await exited;
      assert.equal(code, run.code, `${at}: exit ${code ?? signal}; it printed:\n${output}`);
      return;
    }
    const url = await Promise.race([
      new Promise<string>((resolve) => {
        const seen = () => {
          const address = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
          if (address !== null) resolve(address[0]);
        };
        child.stdout.on('data', seen);
        seen();
      }),
      exited.then(([code, signal]) => {
        throw new Error(
          `${at}: ended (${code ?? signal}) without printing http://127.0.0.1:PORT/:\n${output}`,
        );
      }),
    ]);
    const headers = run.body === undefined ? undefined : { 'Content-Type': contentType(run.body) };
    const res = await fetch(new URL(run.path, url), { method: run.method, body: run.body, headers });
    await res.body?.cancel();
    assert.equal(res.status, run.status, `${at}: ${run.method} ${run.path}; it printed:\n${output}`);
  } finally {
    clearTimeout(limit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** The commands of a shell line: words without their quotes, up to a comment, split at `&&`, `|`, `;`. */
function commands(line: string): string[][] {
  const found: string[][] = [[]];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (m[3]?.startsWith('#')) break;
    if (m[3] !== undefined && ['&&', '||', '|', ';'].includes(m[3])) found.push([]);
    else found.at(-1)!.push(m[1] ?? m[2] ?? m[3]!);
  }
  return found.filter((words) => words.length > 0);
}

/** The flags `basehttp get -h` lists. */
const GET_FLAGS = new Set([...GET_USAGE.matchAll(/(?<=^|[\s,])(--?[A-Za-z][\w-]*)/gm)].map((m) => m[1]!));

/** What is wrong with one command, if it is ours (`basehttp …`, `npx basehttp …`, `npm run …`). */
function commandProblem(words: string[]): string | null {
  const [first, second] = words;
  if (first === 'npm') {
    const script = second === 'run' ? words[2]! : second!;
    if (['start', 'test', 'run'].includes(second!) && SCRIPTS[script] === undefined)
      return `no npm script "${script}"`;
    return null;
  }
  if (first === 'bash' && !existsSync(new URL(second!, ROOT))) return `no file ${second}`;
  const args =
    first === 'basehttp' ? words.slice(1) : first === 'npx' && second === 'basehttp' ? words.slice(2) : null;
  if (args === null) return null;
  if (args[0] === 'get') {
    const flags = args
      .slice(1)
      .filter((arg) => arg.startsWith('-') && arg !== '-')
      .flatMap((arg) => (/^-[A-Za-z]{2,}$/.test(arg) ? [...arg.slice(1)].map((c) => `-${c}`) : [arg]));
    const unknown = flags.filter((flag) => !GET_FLAGS.has(flag));
    return unknown.length === 0 ? null : `basehttp get has no ${unknown.join(', ')}`;
  }
  try {
    parseServeArgs(args);
    return null;
  } catch (err) {
    if (err instanceof UsageError) return `basehttp: ${err.message}`;
    throw err;
  }
}

describe('the code blocks of the README and docs/', () => {
  let dir = '';
  let modules: Module[] = [];
  let errors: string[] = [];
  before(() => {
    dir = userProject();
    modules = TS_BLOCKS.map(moduleOf);
    errors = compile(dir, modules);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are each in a language this test checks', () => {
    const others = BLOCKS.filter((block) => !['ts', 'sh', 'json'].includes(block.lang));
    assert.deepEqual(
      others.map((block) => `${where(block)}: "${block.lang}"`),
      [],
    );
    assert.ok(TS_BLOCKS.length >= 15, `read ${TS_BLOCKS.length} ts blocks`);
  });

  it("the README's first ts block is a server program that is run", () => {
    assert.equal(TS_BLOCKS[0]!.page, 'README.md');
    assert.equal(TS_BLOCKS[0]!.marker, 'run');
  });

  it('type-check in a project set up as the README says', () => {
    assert.deepEqual(errors, []);
  });

  it('json blocks parse', () => {
    for (const block of BLOCKS.filter((b) => b.lang === 'json')) {
      assert.doesNotThrow(() => JSON.parse(block.code), where(block));
    }
  });

  it('sh lines name our flags and npm scripts as they exist', () => {
    const problems = BLOCKS.filter((block) => block.lang === 'sh').flatMap((block) =>
      block.code.split('\n').flatMap((line, i) =>
        commands(line).flatMap((words) => {
          const problem = commandProblem(words);
          return problem === null ? [] : [`${where(block, i)}: ${problem}`];
        }),
      ),
    );
    assert.deepEqual(problems, []);
  });

  // One at a time: the suite runs beside them, and some of its tests wait on child processes with short limits.
  describe('run', () => {
    for (const block of TS_BLOCKS.filter((b) => b.marker?.startsWith('run') === true)) {
      it(`${where(block)}: <!-- ${block.marker} -->`, async () => {
        const module = modules.find((candidate) => candidate.block === block)!;
        await runBlock(dir, module, runOf(block));
      });
    }
  });
});

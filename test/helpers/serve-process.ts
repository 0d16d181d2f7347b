/** The `basehttp` command run as a user runs it: a child process, its banner awaited, killed when the test ends. */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The built command. */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A running `basehttp`: the port its banner printed, what it wrote so far, and a stop that awaits its exit. */
export interface ServeProcess {
  port: number;
  out: () => string;
  err: () => string;
  stop: () => Promise<number | null>;
}

/**
 * Starts `basehttp args` with `env` added to the environment and resolves once the banner, up to the line
 * `banner` matches (default: the `Local:` line), is out; rejects if it exits first or takes over 20 s.
 */
export function startServe(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  banner = /\nLocal: .*\n/,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 20 s: ${out}${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const port = / port (\d+) /.exec(out);
      if (port === null || !banner.test(out)) return;
      clearTimeout(timer);
      resolve({
        port: Number(port[1]),
        out: () => out,
        err: () => err,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}${err}`));
    });
  });
}

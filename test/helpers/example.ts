/** Running the programs in examples/ as a user does: `node examples/<name>.js --port 0`. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunningExample {
  /** `http://127.0.0.1:<port>/`, as the example prints it. */
  base: string;
  port: number;
  /** Whether the process is still running. */
  alive: () => boolean;
  /** What it logged so far. */
  stderr: () => string;
  /** Stops reading its stderr: its next log write fails with EPIPE. */
  closeStderr: () => void;
  stop: () => void;
}

/** Starts an example on a free port and reads the address it prints. */
export async function startExample(name: string): Promise<RunningExample> {
  const script = fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
  const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(/http:\/\/\S+\//.exec(d.toString())![0]));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
  });
  return {
    base,
    port: Number(new URL(base).port),
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => stderr,
    closeStderr: () => child.stderr.destroy(),
    stop: () => child.kill('SIGTERM'),
  };
}

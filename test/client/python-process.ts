/** python3 as an independent server for the client tests. */
import { spawn, type ChildProcess } from 'node:child_process';

/** Starts python3 with `args` and resolves with the port matched by `pattern` in what it prints. */
export function startPython(args: string[], pattern: RegExp): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn('python3', ['-u', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 exited with ${code} before listening`)));
  });
}

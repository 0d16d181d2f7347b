/** curl, as a user runs it, against a local test server. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `curl -sS -i` with the given arguments: the final response's status, its head fields (lowercased names,
 * the last value of each) and its body as text. Interim (1xx) heads are skipped.
 */
export async function curl(
  port: number,
  path: string,
  ...args: string[]
): Promise<{ status: number; fields: Map<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', ...args, `http://127.0.0.1:${port}${path}`]);
  let start = 0;
  while (/^HTTP\/1\.1 1\d\d/.test(stdout.slice(start))) start = stdout.indexOf('\r\n\r\n', start) + 4;
  const end = stdout.indexOf('\r\n\r\n', start);
  const lines = stdout.slice(start, end).split('\r\n');
  const fields = new Map(
    lines.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(lines[0]!.slice(9, 12)), fields, body: stdout.slice(end + 4) };
}

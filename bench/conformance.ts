/**
 * The RFC 9112 framing cases of test/conformance against basehttp and its peers, in one run: how many each
 * server answers as a strict server must (right final status; for a refusal, the connection closed and
 * nothing after it answered; for an accepted request, the next one on the connection answered too).
 */
import { fileURLToPath } from 'node:url';
import { CASES, type Case } from '../test/conformance/cases.js';
import { exchangeRaw, parseResponses } from '../test/helpers/server.js';
import { freePort, hasCommand, printTable, startNginx, startProcess } from './lib.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const sourceDir = `${here}../../bench/peers/`;

async function judge(port: number, c: Case): Promise<boolean> {
  try {
    const r = await exchangeRaw(port, c.request, { idleMs: 400 });
    const finals = parseResponses(r.bytes).filter((x) => x.status >= 200);
    if (finals[0]?.status !== c.status) return false;
    if (c.close) return finals.length === 1 && r.closed;
    return finals.length === 2 && finals[1]!.status === 200;
  } catch {
    return false; // unparsable answer
  }
}

export async function run(): Promise<void> {
  type Peer = { name: string; start: (port: number) => Promise<{ stop: () => Promise<void> } | null> };
  const node = (script: string) => (port: number) =>
    startProcess(process.execPath, [`${here}peers/${script}`, '--port', String(port)], {
      url: `http://127.0.0.1:${port}/`,
    });
  const peers: Peer[] = [
    { name: 'basehttp', start: node('basehttp-ok.js') },
    { name: 'node:http', start: node('node-http-ok.js') },
    { name: 'nginx', start: (port) => startNginx(port, 'location / { return 200 "ok"; }') },
  ];
  if (hasCommand('python3')) {
    peers.push({
      name: 'python http.server',
      start: (port) =>
        startProcess('python3', [`${sourceDir}python_ok.py`, String(port)], {
          url: `http://127.0.0.1:${port}/`,
        }),
    });
  }
  const rows: Array<Array<string | number>> = [];
  const failures: string[] = [];
  for (const peer of peers) {
    const port = await freePort();
    const server = await peer.start(port);
    if (server === null) {
      rows.push([peer.name, 'not installed', '', '']);
      continue;
    }
    let passed = 0;
    const failed: string[] = [];
    try {
      for (const c of CASES) {
        if (await judge(port, c)) passed++;
        else failed.push(c.name);
      }
    } finally {
      await server.stop();
    }
    rows.push([peer.name, String(passed), String(CASES.length - passed), String(CASES.length)]);
    if (failed.length > 0) failures.push(`${peer.name} fails: ${failed.join('; ')}`);
  }
  printTable(
    'RFC 9112 framing conformance (test/conformance/cases.ts)',
    ['server', 'pass', 'fail', 'cases'],
    rows,
  );
  for (const line of failures) console.log(line);
}

/** Starting servers and talking raw bytes to them, over real loopback sockets. */
import net from 'node:net';
import { after, before } from 'node:test';
import { HTTPConnection, HTTPServer, type HandlerClass, type ServerOptions } from '../../src/index.js';

/** One GET on a new connection with basehttp's client: `status body`. */
export async function getOnce(port: number, path: string): Promise<string> {
  const conn = new HTTPConnection('127.0.0.1', port, { timeout: 5000 });
  try {
    await conn.request('GET', path, { headers: { Connection: 'close' } });
    const res = await conn.getresponse();
    return `${res.status} ${(await res.read()).toString()}`;
  } finally {
    conn.close();
  }
}

/** A log stream for a test server: the lines it is given are collected in `log`, one entry each. */
export function collectingLog(): { log: string[]; logStream: NodeJS.WritableStream } {
  const log: string[] = [];
  const logStream = {
    write(text: string): boolean {
      log.push(...text.split('\n').filter((l) => l !== ''));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { log, logStream };
}

/** A server on 127.0.0.1 with a free port; log lines are collected in `log` instead of printed. */
export async function startServer(
  Handler: HandlerClass,
  options: ServerOptions = {},
): Promise<{ server: HTTPServer; port: number; log: string[]; close: () => Promise<void> }> {
  const { log, logStream } = collectingLog();
  const server = new HTTPServer({ host: '127.0.0.1', port: 0 }, Handler, { logStream, ...options });
  await server.listen();
  const serving = server.serveForever();
  return {
    server,
    port: server.serverPort,
    log,
    close: async () => {
      await server.shutdown(500);
      await serving;
    },
  };
}

export type RunningServer = Awaited<ReturnType<typeof startServer>>;

/** Runs `fn` against a fresh server and always shuts it down afterwards. */
export async function withServer(
  Handler: HandlerClass,
  options: ServerOptions,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const running = await startServer(Handler, options);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

/** One server for the enclosing suite: started before its tests, shut down after them. */
export function serverForSuite(Handler: HandlerClass, options: ServerOptions = {}): RunningServer {
  const running = {} as RunningServer;
  before(async () => {
    Object.assign(running, await startServer(Handler, options));
  });
  after(() => running.close());
  return running;
}

/**
 * Sends `data` (all at once, or in the given pieces with a pause between; `pauseMs: 0` yields to the event
 * loop only, for pieces as small as one byte) and collects everything the server sends until it closes the
 * connection or `idleMs` passes without a byte.
 *
 * On a loaded machine a server can be silent for longer than `idleMs` before it answers, so a test that knows
 * what must come says so: `responses: n` starts the idle window only once n final responses are in (it then
 * shows only that nothing more comes), `untilClose` waits for the close alone. Either way the exchange fails
 * with what it received if that has not happened within `deadlineMs`.
 */
export function exchangeRaw(
  port: number,
  data: string | Buffer | Array<string | Buffer>,
  {
    idleMs = 300,
    halfClose = false,
    pauseMs = 5,
    responses,
    untilClose = false,
    deadlineMs = 10_000,
  }: {
    idleMs?: number;
    halfClose?: boolean;
    pauseMs?: number;
    responses?: number;
    untilClose?: boolean;
    deadlineMs?: number;
  } = {},
): Promise<{ text: string; bytes: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const awaited = untilClose ? 'the close' : responses === undefined ? null : `${responses} responses`;
    const deadline =
      awaited === null
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            const got = Buffer.concat(chunks).toString('latin1');
            reject(new Error(`no ${awaited} within ${deadlineMs} ms; received ${JSON.stringify(got)}`));
          }, deadlineMs);
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(deadline);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ text: bytes.toString('latin1'), bytes, closed });
    };
    const arm = (): void => {
      clearTimeout(timer);
      if (untilClose) return;
      if (responses !== undefined && completeFinalResponses(Buffer.concat(chunks)) < responses) return;
      timer = setTimeout(finish, idleMs);
    };
    socket.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        closed = true;
        finish();
      } else {
        clearTimeout(timer);
        clearTimeout(deadline);
        reject(err);
      }
    });
    const send = async (): Promise<void> => {
      const pieces = Array.isArray(data) ? data : [data];
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) await new Promise((r) => (pauseMs === 0 ? setImmediate(r) : setTimeout(r, pauseMs)));
        if (socket.destroyed) return;
        socket.write(pieces[i]!);
      }
      if (halfClose) socket.end();
      arm();
    };
    socket.on('connect', () => void send());
  });
}

/** A parsed response from raw bytes: enough to assert on status, headers and body in tests. */
export interface RawResponse {
  status: number;
  reason: string;
  version: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

/**
 * Splits a byte stream of responses into messages. Independent of basehttp's own reader on purpose, so the
 * tests do not grade the server with its own parser. `noBody` lists statuses/indexes of HEAD responses.
 */
export function parseResponses(bytes: Buffer, headIndexes: Set<number> = new Set()): RawResponse[] {
  const { responses, rest } = scanResponses(bytes, headIndexes);
  if (rest < bytes.length)
    throw new Error(`incomplete head: ${JSON.stringify(bytes.subarray(rest).toString('latin1'))}`);
  return responses;
}

/** How many final (non-1xx) responses `bytes` holds in full: what a test waits for before it asserts. */
export function completeFinalResponses(bytes: Buffer): number {
  const { responses, complete } = scanResponses(bytes, new Set());
  return responses.slice(0, complete).filter((r) => r.status >= 200).length;
}

/**
 * The messages in `bytes`; `complete` counts the leading ones received in full (a body cut short, or one
 * delimited by the close, is not), and `rest` is where an unfinished head begins.
 */
function scanResponses(
  bytes: Buffer,
  headIndexes: Set<number>,
): { responses: RawResponse[]; complete: number; rest: number } {
  const out: RawResponse[] = [];
  let complete = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const lines = bytes.subarray(pos, end).toString('latin1').split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error(`bad status line: ${JSON.stringify(lines[0])}`);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).toLowerCase();
      headers.set(k, [...(headers.get(k) ?? []), line.slice(i + 1).trim()]);
    }
    pos = end + 4;
    const status = Number(m[2]);
    let body: Buffer = Buffer.alloc(0);
    let whole = true;
    const noBody = headIndexes.has(out.length) || status < 200 || status === 204 || status === 304;
    if (!noBody) {
      const te = headers.get('transfer-encoding')?.join(',') ?? '';
      const cl = headers.get('content-length')?.[0];
      if (/chunked/i.test(te)) {
        const parts: Buffer[] = [];
        for (;;) {
          const lineEnd = bytes.indexOf('\r\n', pos);
          if (lineEnd < 0) {
            whole = false;
            pos = bytes.length;
            break;
          }
          const size = parseInt(bytes.subarray(pos, lineEnd).toString('latin1'), 16);
          pos = lineEnd + 2;
          if (size === 0) {
            const trailerEnd = bytes.indexOf('\r\n\r\n', pos - 2);
            whole = trailerEnd >= 0;
            pos = whole ? trailerEnd + 4 : bytes.length;
            break;
          }
          parts.push(bytes.subarray(pos, pos + size));
          pos += size + 2;
        }
        body = Buffer.concat(parts);
        if (pos > bytes.length) whole = false;
      } else if (cl !== undefined) {
        body = bytes.subarray(pos, pos + Number(cl));
        pos += Number(cl);
        whole = pos <= bytes.length;
      } else {
        body = bytes.subarray(pos);
        pos = bytes.length;
        whole = false;
      }
    }
    out.push({ status, reason: m[3]!, version: m[1]!, headers, body });
    if (whole && complete === out.length - 1) complete++;
  }
  return { responses: out, complete, rest: Math.min(pos, bytes.length) };
}

/**
 * Calls `server.shutdown(timeout)` and says whether it finished within `bound` ms: 'stopped', or 'still
 * waiting' for a shutdown held up by a connection it should have closed (a bounded wait, not a timing check).
 */
export function shutdownWithin(server: HTTPServer, timeout: number, bound = 4000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    server.shutdown(timeout).then(() => 'stopped'),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`still waiting after ${bound} ms`), bound);
    }),
  ]).finally(() => clearTimeout(timer));
}

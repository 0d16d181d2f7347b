/** Starting Fetch-API servers on loopback for the face's tests. */
import { collectingLog } from '../helpers/server.js';
import { serve, type FetchApp, type FetchServeOptions, type FetchServer } from '../../src/index.js';

/** serve() on 127.0.0.1 with a free port; log lines are collected in `log` instead of printed. */
export async function startFetch(
  fetch: FetchApp,
  options: Partial<FetchServeOptions> = {},
): Promise<{ server: FetchServer; port: number; log: string[] }> {
  const { log, logStream } = collectingLog();
  const server = serve({
    hostname: '127.0.0.1',
    port: 0,
    logStream,
    shutdownTimeout: 500,
    ...options,
    fetch,
  });
  await server.ready();
  return { server, port: server.port, log };
}

/** Resolves with `promise`, or rejects after `ms`: a bound on a wait, so a broken server fails, not hangs. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

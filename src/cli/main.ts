#!/usr/bin/env node
/**
 * The `basehttp` command: `basehttp [options] [port]` serves a directory, as `python -m http.server`;
 * `basehttp get URL` is the client.
 */
import cluster from 'node:cluster';
import { runPrimary } from '../cluster/primary.js';
import { loadAppToServe, type AppToServe } from './app-module.js';
import { UsageError } from './flags.js';
import { USAGE, parseServeArgs } from './serve-args.js';
import { buildServer, printBanner, serve, warnMissingSpa } from './serve.js';
import { packageVersion } from './version.js';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'get') return (await import('./get.js')).main(argv.slice(1));
  let args;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${USAGE.split('\n\n')[0]}\nbasehttp: error: ${err.message}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args === 'version') {
    process.stdout.write(`basehttp ${packageVersion()}\n`);
    return 0;
  }
  let app: AppToServe | null = null;
  if (args.app !== null) {
    try {
      app = await loadAppToServe(args.app);
    } catch (err) {
      // No fetch handler, a missing module, one that fails to load: what --app names is unusable.
      process.stderr.write(`basehttp: error: --app ${args.app}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (cluster.isPrimary && app === null) warnMissingSpa(args);
  if (args.tlsSelfSigned) {
    // Before any server is built: the primary makes the certificate, its workers find it made.
    const { selfSignedTls } = await import('./self-signed/self-signed-args.js');
    const tls = await selfSignedTls(args.bind);
    if (tls === null) return 1;
    args = { ...args, tls };
  }
  if (args.workers > 1 && cluster.isPrimary) {
    if (buildServer(args, app) === null) return 1;
    return runPrimary({
      count: args.workers,
      shutdownTimeout: args.shutdownTimeout,
      onListening: (host, port) => printBanner(args, host, port),
    });
  }
  return serve(args, app);
}

const code = await main(process.argv.slice(2));
const worker = cluster.worker;
if (worker?.isConnected()) {
  // A worker leaves through the primary: its acknowledgement comes after any connection it handed over just
  // before this worker stopped listening (such a connection goes back to the primary for another worker),
  // whereas exiting at once would strand it. The IPC channel would otherwise keep the worker alive.
  worker.once('disconnect', () => process.exit(code));
  worker.disconnect();
} else if (worker !== undefined) {
  process.exit(code);
} else {
  process.exitCode = code;
}

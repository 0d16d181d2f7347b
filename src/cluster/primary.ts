import cluster, { type Worker } from 'node:cluster';

export interface PrimaryOptions {
  /** Workers to keep running. */
  count: number;
  /** How long workers may take to finish requests in flight when stopping, in ms; 0 waits for them all. */
  shutdownTimeout: number;
  /** Called once, with the address the first worker listens on. */
  onListening: (address: string, port: number) => void;
}

/** The message a worker stops on: stop accepting, let requests finish, exit 0. */
export const SHUTDOWN_MESSAGE = 'basehttp:shutdown';

function log(line: string): void {
  process.stderr.write(`[primary] ${line}\n`);
}

/**
 * Runs the cluster's primary: forks `count` workers running this same command (they share the listening
 * socket through node:cluster), replaces a worker that dies, stops them all gracefully on SIGTERM/SIGINT and
 * replaces them one by one on SIGHUP, each new worker listening before the old one stops: a reload drops no
 * request, and one whose new worker cannot start (a broken certificate, a missing directory) is abandoned
 * with the running workers kept. Resolves with the exit status once every worker is gone.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const retiring = new Set<Worker>();
  /** Workers forked by a reload and not listening yet: the reload, not the exit handler, judges them. */
  const trying = new Set<Worker>();
  let stopping = false;
  let reloading = false;
  let announced = false;

  const listened = new WeakSet<Worker>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.once('listening', (address) => {
      // Logged once it accepts connections, not when it merely runs: the log then tells who is serving.
      log(`worker ${worker.id} (pid ${worker.process.pid}) started`);
      listened.add(worker);
      if (!announced) {
        announced = true;
        options.onListening(address.address ?? '', address.port);
      }
    });
    return worker;
  };

  /** Asks a worker to stop; kills it if it has not exited by the deadline. */
  const retire = (worker: Worker): Promise<void> => {
    retiring.add(worker);
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (worker.isConnected()) worker.send(SHUTDOWN_MESSAGE);
    if (options.shutdownTimeout === 0) return exited;
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), options.shutdownTimeout + 1000);
    return exited.finally(() => clearTimeout(timer));
  };

  let finish: (code: number) => void = () => {};
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      Object.values(cluster.workers ?? {}).flatMap((w) => (w === undefined ? [] : [retire(w)])),
    );
    finish(code);
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping || retiring.delete(worker) || trying.has(worker)) return;
    if (!listened.has(worker)) {
      // It could not start (port in use, bad certificate): forking again would only fail again.
      log(`worker ${worker.id} exited before listening (${signal ?? `exit ${code}`}); stopping`);
      void stop(1);
      return;
    }
    log(
      `worker ${worker.id} (pid ${worker.process.pid}) died (${signal ?? `exit ${code}`}); starting a new one`,
    );
    fork();
  });
  const reload = async (): Promise<void> => {
    if (reloading || stopping) return;
    reloading = true;
    log('SIGHUP: replacing the workers one by one');
    try {
      for (const old of Object.values(cluster.workers ?? {})) {
        if (old === undefined || retiring.has(old) || stopping) continue;
        const next = fork();
        trying.add(next);
        const started = await new Promise<boolean>((resolve) => {
          next.once('listening', () => resolve(true));
          next.once('exit', () => resolve(false));
        });
        trying.delete(next);
        if (!started) {
          const how = next.process.signalCode ?? `exit ${next.process.exitCode}`;
          log(
            `worker ${next.id} exited before listening (${how}); reload abandoned, the running workers stay`,
          );
          return;
        }
        await retire(old);
      }
      log('reload complete');
    } finally {
      reloading = false;
    }
  };

  return new Promise<number>((resolve) => {
    finish = resolve;
    process.once('SIGTERM', () => void stop(0));
    process.once('SIGINT', () => {
      process.stdout.write('\nKeyboard interrupt received, exiting.\n');
      void stop(0);
    });
    process.on('SIGHUP', () => void reload());
    for (let i = 0; i < options.count; i++) fork();
  });
}

/** Running a program in a network namespace of its own, where it may bind any address or port. */
import { spawnSync } from 'node:child_process';

/** Why no network namespace can be made here (`unshare -n` needs root or CAP_SYS_ADMIN), or null if one can. */
export function namespaceRefusal(): string | null {
  const run = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (run.error !== undefined)
    throw new Error(`unshare is needed (util-linux; .ci/run installs it): ${run.error}`);
  if (run.status === 0) return null;
  return `no network namespace can be made here (unshare -n needs root): ${run.stderr.trim()}`;
}

/**
 * The command and arguments that run `argv` inside a new network namespace whose loopback is up (`ip` from
 * iproute2): nothing it binds is reachable from, or clashes with, the machine's own network.
 */
export function inNamespace(argv: string[]): [string, string[]] {
  return ['unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...argv]];
}

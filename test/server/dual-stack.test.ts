import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./dual-stack-probe.js', import.meta.url));

// Binding every address is what this tests, and tests keep off the machine's network: the probe runs in a
// network namespace of its own (`unshare -n`, util-linux; `ip` from iproute2 brings its loopback up).
it('listens dual-stack without a host (an IPv4 client shown as plain IPv4); ipv6Only refuses IPv4', () => {
  const run = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, PROBE],
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(run.status, 0, `the probe failed (needs unshare and ip, as root): ${run.error ?? run.stderr}`);
  assert.deepEqual(JSON.parse(run.stdout), {
    dualStack: { bound: '::', ipv4: '127.0.0.1', ipv6: '::1' },
    ipv6Only: { bound: '::', ipv4: 'ECONNREFUSED', ipv6: '::1' },
  });
});

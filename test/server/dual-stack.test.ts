import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inNamespace, namespaceRefusal } from '../helpers/network-namespace.js';

const PROBE = fileURLToPath(new URL('./dual-stack-probe.js', import.meta.url));
/** This process's network namespace: the probe refuses to bind every address in it. */
const OWN_NAMESPACE = readlinkSync('/proc/self/ns/net');

// Binding every address is what this tests, and tests keep off the machine's network: the probe runs in a
// network namespace of its own (`unshare -n`, util-linux; `ip` from iproute2 brings its loopback up).
it('listens dual-stack without a host (an IPv4 client shown as plain IPv4); ipv6Only refuses IPv4', (t) => {
  const refusal = namespaceRefusal();
  if (refusal !== null) return t.skip(refusal);
  const run = spawnSync(...inNamespace([process.execPath, PROBE, OWN_NAMESPACE]), {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 0, `the probe failed (needs unshare and ip, as root): ${run.error ?? run.stderr}`);
  assert.deepEqual(JSON.parse(run.stdout), {
    dualStack: { bound: '::', ipv4: '127.0.0.1', ipv6: '::1' },
    ipv6Only: { bound: '::', ipv4: 'ECONNREFUSED', ipv6: '::1' },
  });
});

it('the probe binds nothing in the namespace it was started from', () => {
  for (const args of [[PROBE], [PROBE, OWN_NAMESPACE]]) {
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 2, run.stdout);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^dual-stack-probe: refusing to bind every address outside a network namespace/);
  }
});

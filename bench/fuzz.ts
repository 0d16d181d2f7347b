/**
 * `npm run fuzz [-- --seconds 60] [--seed N]`: the seeded cases of `test/fuzz/corpus.ts` for as long as
 * asked, from a random seed (or `--seed`), requests and responses. A failing case prints its seed; running
 * with that `--seed` and `--seconds 0` replays it alone.
 */
import { parseArgs } from 'node:util';
import { checkCase } from '../test/fuzz/corpus.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' } },
});
const seconds = Number(values.seconds);
const first = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(first)) {
  console.error('usage: npm run fuzz -- [--seconds N] [--seed N]');
  process.exit(2);
}
const until = Date.now() + seconds * 1000;
let seed = first;
let failures = 0;
do {
  for (const role of ['request', 'response'] as const) {
    try {
      checkCase(seed, role);
    } catch (err) {
      failures++;
      console.error(
        `fuzz: ${role} case failed, seed ${seed} (replay: npm run fuzz -- --seed ${seed} --seconds 0)`,
      );
      console.error(err instanceof Error ? err.message : err);
    }
  }
  seed++;
} while (Date.now() < until && failures < 10);
console.log(`fuzz: ${seed - first} seeds (${first}…${seed - 1}), ${failures} failures`);
process.exitCode = failures > 0 ? 1 : 0;

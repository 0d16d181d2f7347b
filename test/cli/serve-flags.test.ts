import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagLabel } from '../../src/cli/flags.js';
import { USAGE } from '../../src/cli/serve-args.js';
import { PORT, SERVE_FLAGS } from '../../src/cli/serve-flags.js';
import { readDoc } from '../helpers/docs.js';

/** The first cell of each row of the `| flag | <second header> |` table on `page`, without its backticks. */
function flagLabels(page: string, secondHeader: string): string[] {
  const lines = readDoc(page).split('\n');
  const header = lines.findIndex((line) => new RegExp(`^\\| flag +\\| ${secondHeader} +\\|$`).test(line));
  assert.ok(header >= 0, `${page} has no "| flag | ${secondHeader} |" table`);
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cell = line.split(' | ')[0]!.slice(1).trim();
    assert.match(cell, /^`[^`]+`$/, `a row that does not start with a flag: ${line}`);
    rows.push(cell.slice(1, -1));
  }
  return rows;
}

describe('the flags of basehttp', () => {
  const declared = [PORT.name, ...Object.entries(SERVE_FLAGS).map(([name, flag]) => flagLabel(name, flag))];

  it("docs/static-files.md's table lists every declared flag, in order, and nothing else", () => {
    assert.deepEqual(flagLabels('docs/static-files.md', 'what it does'), declared);
  });

  it("the README's short table lists declared flags only, in the same order", () => {
    const short = flagLabels('README.md', 'use it to');
    assert.ok(short.length >= 5, `read ${short.length} flags`);
    assert.deepEqual(
      short,
      declared.filter((label) => short.includes(label)),
    );
  });

  it('-h aligns the help texts in one column, a longer label two spaces before its text', () => {
    const lines = USAGE.split('\n');
    assert.ok(lines.includes('  port                      bind to this port (default: 8000)'));
    assert.ok(
      lines.includes(
        '  -b, --bind ADDRESS        bind to this address (default: all interfaces, IPv6 and IPv4)',
      ),
    );
    assert.ok(
      lines.includes(
        '  --cors                    send Access-Control-Allow-Origin: * and answer CORS preflight requests',
      ),
    );
    assert.ok(lines.includes('  -H, --header "Name: value"  add a header to every response (repeatable)'));
  });
});

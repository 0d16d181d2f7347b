import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flagLabel } from '../../src/cli/flags.js';
import { USAGE } from '../../src/cli/serve-args.js';
import { PORT, SERVE_FLAGS } from '../../src/cli/serve-flags.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The first cell of each row of the README's `| flag | what it does |` table, without its backticks. */
function readmeFlagLabels(): string[] {
  const lines = README.split('\n');
  const header = lines.findIndex((line) => /^\| flag +\| what it does +\|$/.test(line));
  assert.ok(header >= 0, 'README has no "| flag | what it does |" table');
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

  it("the README's table lists every declared flag, in order, and nothing else", () => {
    assert.deepEqual(readmeFlagLabels(), declared);
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

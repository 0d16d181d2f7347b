import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { statusForParseError } from '../../src/connection/status-error.js';
import type { ParseErrorKind } from '../../src/protocol/errors.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

it("the README's protocol table gives each ParseError kind the status the server answers with", () => {
  const section = readme.slice(
    readme.indexOf('## Protocol rules'),
    readme.indexOf('A request line is judged'),
  );
  const documented = new Map<string, number>();
  for (const m of section.matchAll(/^\|[^|]*\| `([a-z-]+)`\s*\| (\d{3})/gm))
    documented.set(m[1]!, Number(m[2]));
  assert.ok(documented.size >= 14, `read ${documented.size} kinds from the table`);
  for (const [kind, status] of documented) {
    assert.equal(statusForParseError(kind as ParseErrorKind), status, kind);
  }
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { statusForParseError } from '../../src/connection/status-error.js';
import type { ParseErrorKind } from '../../src/protocol/errors.js';
import { readDoc } from '../helpers/docs.js';

const page = readDoc('docs/protocol.md');

it('the protocol table of docs/protocol.md gives each ParseError kind the status the server answers with', () => {
  const section = page.slice(page.indexOf('# Protocol rules'), page.indexOf('A request line is judged'));
  const documented = new Map<string, number>();
  for (const m of section.matchAll(/^\|[^|]*\| `([a-z-]+)`\s*\| (\d{3})/gm))
    documented.set(m[1]!, Number(m[2]));
  assert.ok(documented.size >= 14, `read ${documented.size} kinds from the table`);
  for (const [kind, status] of documented) {
    assert.equal(statusForParseError(kind as ParseErrorKind), status, kind);
  }
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as main from '../../src/index.js';
import * as protocol from '../../src/protocol/index.js';
import { readDoc } from '../helpers/docs.js';

const page = readDoc('docs/errors.md');

interface Row {
  name: string;
  code: string;
  base: string;
}

/** The rows of the errors table on docs/errors.md: class, code, the class it extends. */
function documentedErrors(): Row[] {
  const start = page.indexOf('# Errors\n');
  assert.ok(start >= 0, 'docs/errors.md has an Errors heading');
  const section = page.slice(start);
  const rows: Row[] = [];
  for (const m of section.matchAll(/^\| `(\w+)`\s*\| `(BH_ERR_\w+)`\s*\| (\w+)\s*\|/gm)) {
    rows.push({ name: m[1]!, code: m[2]!, base: m[3]! });
  }
  return rows;
}

type ErrorClass = new (...args: unknown[]) => Error & { code?: unknown };

/** An instance made the way the library makes one; IncompleteRead needs the bytes that did arrive. */
function instance(cls: ErrorClass): Error & { code?: unknown } {
  for (const args of [[], [Buffer.alloc(0), null]]) {
    try {
      return new cls(...args);
    } catch {
      // try the next argument list
    }
  }
  throw new Error(`cannot construct ${cls.name}`);
}

const BUILT_IN: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
} as unknown as Record<string, ErrorClass>;

it('every error class either entry exports is in the table of docs/errors.md with its code, and only those', () => {
  const exported = new Map<string, ErrorClass>();
  for (const module of [main, protocol] as Array<Record<string, unknown>>) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'function' && value.prototype instanceof Error)
        exported.set(name, value as ErrorClass);
    }
  }
  const rows = documentedErrors();
  assert.ok(rows.length >= 20, `read ${rows.length} rows`);
  assert.deepEqual(rows.map((row) => row.name).sort(), [...exported.keys()].sort());
  const codes = new Set<string>();
  for (const row of rows) {
    const cls = exported.get(row.name)!;
    const error = instance(cls);
    assert.equal(error.name, row.name, `${row.name}: name`);
    assert.equal(error.code, row.code, `${row.name}: code`);
    const base = BUILT_IN[row.base] ?? exported.get(row.base);
    assert.ok(base !== undefined && error instanceof base, `${row.name} extends ${row.base}`);
    assert.ok(!codes.has(row.code), `${row.code} is used once`);
    codes.add(row.code);
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { docPages, readDoc } from '../helpers/docs.js';

const ROOT = new URL('../../../', import.meta.url);
const API_PAGE = readDoc('docs/api.md');
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

/** The entry points as a user imports them (`basehttp`, `basehttp/protocol`), with their built types. */
const ENTRIES = Object.entries(PACKAGE.exports).map(([subpath, target]) => ({
  name: `basehttp${subpath.slice(1)}`,
  types: fileURLToPath(new URL(target.types, ROOT)),
}));

/**
 * Every name each entry point exports, types included, read from the declarations users get. No lib and no
 * @types: only the names are wanted, and the program builds in a fraction of the time.
 */
function exportedNames(): Map<string, string[]> {
  const program = ts.createProgram(
    ENTRIES.map((entry) => entry.types),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noLib: true,
      types: [],
    },
  );
  const checker = program.getTypeChecker();
  return new Map(
    ENTRIES.map((entry) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(entry.types)!)!;
      return [entry.name, checker.getExportsOfModule(module).map((symbol) => symbol.name)];
    }),
  );
}

/**
 * The names in the first column of the table under docs/api.md's heading for `entry`, up to the next heading,
 * and for `basehttp` those of docs/errors.md's table.
 */
function documentedNames(entry: string): string[] {
  const heading = `\n### \`${entry}\`\n`;
  const start = API_PAGE.indexOf(heading);
  assert.ok(start >= 0, `docs/api.md has no section "${heading.trim()}"`);
  const section = API_PAGE.slice(start + heading.length).split(/\n#{1,3} /)[0]!;
  // The main entry's error classes have a page of their own, docs/errors.md.
  return [section, entry === 'basehttp' ? readDoc('docs/errors.md') : '']
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
}

/** `import { a, type B } from 'basehttp…'` in the code blocks of the README and docs/: entry point → names imported. */
function documentedImports(): Map<string, Array<{ name: string; value: boolean }>> {
  const imports = new Map<string, Array<{ name: string; value: boolean }>>();
  for (const block of docPages().flatMap((page) => [...page.text.matchAll(/```ts\n([\s\S]*?)```/g)])) {
    for (const m of block[1]!.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(basehttp[^']*)'/g)) {
      const names = imports.get(m[3]!) ?? [];
      for (const item of m[2]!.split(',').map((part) => part.trim())) {
        if (item === '') continue;
        const typeOnly = m[1] !== undefined || item.startsWith('type ');
        names.push({ name: item.replace(/^type\s+/, '').split(/\s+as\s+/)[0]!, value: !typeOnly });
      }
      imports.set(m[3]!, names);
    }
  }
  return imports;
}

describe('the public API', () => {
  const exported = exportedNames();

  for (const { name } of ENTRIES) {
    it(`${name}: the table of docs/api.md lists every export, and nothing else`, async () => {
      const documented = documentedNames(name);
      assert.equal(new Set(documented).size, documented.length, 'a name listed twice');
      const names = exported.get(name)!;
      const undocumented = names.filter((key) => !documented.includes(key));
      const notExported = documented.filter((key) => !names.includes(key));
      assert.deepEqual({ undocumented, notExported }, { undocumented: [], notExported: [] });
      // By package name, as a user imports it: through package.json's "exports" to the built module.
      const module = (await import(name)) as Record<string, unknown>;
      for (const key of Object.keys(module)) assert.ok(documented.includes(key), `${key} is not documented`);
    });
  }

  it('every import in the code blocks of the README and docs/ names an export of its entry point', async () => {
    const imports = documentedImports();
    assert.deepEqual([...imports.keys()].sort(), ENTRIES.map((entry) => entry.name).sort());
    for (const [entry, names] of imports) {
      const module = (await import(entry)) as Record<string, unknown>;
      for (const { name, value } of names) {
        assert.ok(exported.get(entry)!.includes(name), `${name} is not exported by ${entry}`);
        if (value) assert.notEqual(module[name], undefined, `${entry} has no value ${name} at run time`);
      }
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { it } from 'node:test';
import { ROOT, docPages, readDoc } from '../helpers/docs.js';

/** A heading's anchor as GitHub makes it: lowercased, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page's headings. */
function anchors(page: string): Set<string> {
  return new Set([...readDoc(page).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

it('every relative link of the README and docs/ leads to a page and heading that exist', () => {
  const broken: string[] = [];
  for (const { path, text } of docPages()) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue;
      const [file, fragment] = link.split('#') as [string, string | undefined];
      const target = file === '' ? path : posix.normalize(posix.join(posix.dirname(path), file));
      const line = text.slice(0, m.index).split('\n').length;
      if (!existsSync(new URL(target, ROOT))) broken.push(`${path}:${line}: ${link}: no file ${target}`);
      else if (fragment !== undefined && !anchors(target).has(fragment))
        broken.push(`${path}:${line}: ${link}: no heading #${fragment} on ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

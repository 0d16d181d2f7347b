/** The user documentation as the tests read it: README.md and the pages under docs/. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from build/test/…). */
export const ROOT = new URL('../../../', import.meta.url);

/** A page of the documentation: its path from the repository root and its text. */
export interface DocPage {
  path: string;
  text: string;
}

/** One page, by its path from the repository root (`README.md`, `docs/errors.md`). */
export function readDoc(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}

/** README.md and every docs/*.md, README first: what a user reads, and what must stay true. */
export function docPages(): DocPage[] {
  const pages = readdirSync(fileURLToPath(new URL('docs/', ROOT)))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages].map((path) => ({ path, text: readDoc(path) }));
}

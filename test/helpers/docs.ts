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

/** A fenced code block of a page, with the comment marker right before it (`<!-- run -->`), if any. */
export interface CodeBlock {
  page: string;
  /** The 1-based line of the block's first line of code in its page. */
  line: number;
  /** The fence's info string, first word only (`ts`, `sh`, `json`). */
  lang: string;
  code: string;
  /** The marker's text (`run`, `run: exit 0`, `fragment`), or null when there is none. */
  marker: string | null;
}

/** Every fenced code block of the README and docs/, in page order. */
export function codeBlocks(): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const { path, text } of docPages()) {
    const lines = text.split('\n');
    let marker: string | null = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const fence = /^```(\S*)/.exec(line);
      if (fence === null) {
        if (line.trim() !== '') marker = /^<!-- (.+) -->$/.exec(line)?.[1] ?? null;
        continue;
      }
      const end = lines.indexOf('```', i + 1);
      if (end < 0) throw new Error(`${path}:${i + 1}: a code block that never ends`);
      blocks.push({
        page: path,
        line: i + 2,
        lang: fence[1]!,
        code: lines.slice(i + 1, end).join('\n'),
        marker,
      });
      marker = null;
      i = end;
    }
  }
  return blocks;
}

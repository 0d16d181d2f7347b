import { escapeHtml } from '../../server/escape-html.js';
import { UPLOAD_FORM_HTML, UPLOAD_FORM_STYLE } from './upload/upload-form.js';

/** One entry of a directory listing. */
export interface ListingEntry {
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtimeMs: number;
}

/** Python's order: case-insensitive by name. */
export function sortEntries(entries: ListingEntry[]): ListingEntry[] {
  return entries.sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** A link target for a name: every reserved character (`?`, `#`, `%`, spaces, quotes) percent-encoded. */
function href(entry: ListingEntry): string {
  return encodeURIComponent(entry.name).replace(/'/g, '%27') + (entry.isDirectory ? '/' : '');
}

function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #656d76; --line: #d0d7de; --link: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --line: #30363d; --link: #4493f8; }
}
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 1.25rem; font-weight: 600; word-break: break-all; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 500; }
td.size, td.mtime, th.size, th.mtime { text-align: right; white-space: nowrap; color: var(--muted); }
a { color: var(--link); text-decoration: none; word-break: break-all; }
a:hover { text-decoration: underline; }
@media (max-width: 40rem) { td.mtime, th.mtime { display: none; } }
`;

/**
 * The HTML listing: responsive, light and dark, names escaped, links encoded, a parent link below the root;
 * with `uploadForm`, the form that uploads into the directory (uploads on).
 */
export function listingHtml(
  displayPath: string,
  entries: ListingEntry[],
  atRoot: boolean,
  uploadForm = false,
): string {
  const title = `Directory listing for ${escapeHtml(displayPath)}`;
  const rows = entries.map((e) => {
    const shown = e.name + (e.isDirectory ? '/' : e.isSymlink ? '@' : '');
    const size = e.isDirectory ? '—' : humanSize(e.size);
    const mtime = new Date(e.mtimeMs).toISOString().replace('T', ' ').slice(0, 16);
    return `<tr><td><a href="${escapeHtml(href(e))}">${escapeHtml(shown)}</a></td><td class="size">${size}</td><td class="mtime">${mtime}</td></tr>`;
  });
  if (!atRoot)
    rows.unshift('<tr><td><a href="../">../</a></td><td class="size"></td><td class="mtime"></td></tr>');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}${uploadForm ? UPLOAD_FORM_STYLE : ''}</style>
</head>
<body>
<h1>${title}</h1>
${uploadForm ? UPLOAD_FORM_HTML : ''}<table>
<thead><tr><th>Name</th><th class="size">Size</th><th class="mtime">Modified (UTC)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

/** The listing for scripts (`?format=json`). */
export function listingJson(entries: ListingEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({
      name: e.name,
      type: e.isDirectory ? 'directory' : e.isSymlink ? 'symlink' : 'file',
      size: e.size,
      mtime: new Date(e.mtimeMs).toISOString(),
    })),
  );
}

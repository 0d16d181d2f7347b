import { escapeHtml } from './escape-html.js';

/** The placeholders of `errorMessageFormat`: `%(code)d`, `%(code)s`, `%(message)s`, `%(explain)s`. */
const PLACEHOLDER_RE = /%\((code|message|explain)\)[ds]/g;

/** The last page made, and what it was made from. */
let last: { format: string; code: number; message: string; explain: string; bytes: Buffer } | null = null;

/**
 * The bytes of an error page: `format` with `%(code)d`, `%(code)s`, `%(message)s` and `%(explain)s` filled in
 * (message and explanation escaped). Refusals come in floods of the same page (408s to slowloris
 * connections, garbage refused at once), so the last page is reused while the same one is asked for.
 */
export function errorPageBytes(format: string, code: number, message: string, explain: string): Buffer {
  if (
    last !== null &&
    last.code === code &&
    last.format === format &&
    last.message === message &&
    last.explain === explain
  )
    return last.bytes;
  // One pass with a function, as Python's `%`: a message holding `$&` or `%(explain)s` stays text.
  const fields: Record<string, string> = {
    code: String(code),
    message: escapeHtml(message, false),
    explain: escapeHtml(explain, false),
  };
  const bytes = Buffer.from(
    format.replace(PLACEHOLDER_RE, (_, name: string) => fields[name]!),
    'utf8',
  );
  last = { format, code, message, explain, bytes };
  return bytes;
}

const TEXT_RE = /[&<>]/g;
const ATTRIBUTE_RE = /[&<>"']/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML the server writes (error pages, directory listings). Quotes are escaped too unless
 * `quotes` is false, which is enough outside attribute values and keeps Python's error page byte for byte
 * (`html.escape(message, quote=False)`).
 */
export function escapeHtml(text: string, quotes = true): string {
  return text.replace(quotes ? ATTRIBUTE_RE : TEXT_RE, (c) => ENTITIES[c]!);
}

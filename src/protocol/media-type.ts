/**
 * The media type of a Content-Type value, or the value of a list member such as `text/html;q=0.9` or
 * `gzip;q=1`: lowercased, without parameters ('' when absent).
 */
export function mediaType(value: string | undefined): string {
  if (value === undefined) return '';
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The path of a request target and its decoded segments: one reading shared by every rule that judges a
 * path (the file server resolves `.`/`..`, uploads refuse `..`, the proxy refuses both), so they cannot
 * disagree on where the path ends or what a segment is.
 */

/**
 * Where the path of a request target ends: at its first `?` (query) or `#` (fragment, which a client
 * should not send but a raw one may), else at its end. An index, not a copy, so a hot caller allocates
 * nothing.
 */
export function pathEnd(target: string): number {
  const query = target.indexOf('?');
  const hash = target.indexOf('#');
  if (hash >= 0 && (query < 0 || hash < query)) return hash;
  return query < 0 ? target.length : query;
}

/** The path of a request target as sent (see `pathEnd`); the target itself when it has nothing after it. */
export function targetPath(target: string): string {
  const end = pathEnd(target);
  return end === target.length ? target : target.slice(0, end);
}

/**
 * The query of a request target: what follows its path's `?` up to a `#`, or '' when the path does not end
 * at a `?` (no query, or the `?` is inside a fragment). Not decoded.
 */
export function targetQuery(target: string): string {
  const end = pathEnd(target);
  if (target.charCodeAt(end) !== QUESTION_MARK) return '';
  const hash = target.indexOf('#', end + 1);
  return target.slice(end + 1, hash < 0 ? target.length : hash);
}

const QUESTION_MARK = 0x3f;

/**
 * The segments of a path once percent-decoded as UTF-8, split on `/` (and on `\` when
 * `backslashSeparates`, as Windows file systems and some servers read it): what a server that decodes
 * sees, so `%2e%2e` is `..` and `..%2f` is `..` followed by a separator. Empty, `.` and `..` segments are
 * kept for the caller's rule; a leading `/` gives a first empty segment, a trailing one a last. Null when
 * the path cannot be decoded (a bad `%` escape or bytes that are not UTF-8).
 */
export function pathSegments(path: string, backslashSeparates: boolean): string[] | null {
  let decoded = path; // decoding would copy it even with nothing to decode
  try {
    if (path.includes('%')) decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  // A string separator splits several times faster than a pattern: the pattern only when it is needed.
  return backslashSeparates && decoded.includes('\\')
    ? decoded.split(SLASH_OR_BACKSLASH)
    : decoded.split('/');
}

const SLASH_OR_BACKSLASH = /[/\\]/;

/**
 * Whether the request target's path holds a `.` or `..` segment, as sent or percent-encoded (`%2e%2e`).
 * Routes match the raw path, so `/api/../admin` would match `/api` and reach the backend, which may resolve
 * it elsewhere (and after a stripped prefix, `/../x` climbs above it): the proxy refuses such a request (400)
 * rather than guess. Browsers and curl resolve dot segments before they send.
 */
export function hasDotSegment(target: string): boolean {
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (!path.includes('.') && !path.includes('%')) return false;
  for (const segment of path.split('/')) {
    if (segment.length > 6) continue;
    const plain = segment.replace(/%2e/gi, '.');
    if (plain === '.' || plain === '..') return true;
  }
  return false;
}

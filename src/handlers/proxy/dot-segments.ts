import { pathEnd, pathSegments } from '../../protocol/target-path.js';

/**
 * Why the proxy will not forward `target`, or null when it may. Routes match the raw path, so
 * `/api/../admin` would match `/api` and reach the backend, which may resolve it elsewhere (and after a
 * stripped prefix, `/../x` climbs above it). The path is judged as a backend that decodes would read it:
 * percent-decoded, `/` and `\` both separating, so `%2e%2e`, `..%2f` and `..%5c` count; a path that cannot
 * be decoded as UTF-8 is refused too, since a backend decoding bytes could still find `..` in it. A `#`
 * ends the path here but is sent on: a backend that only cuts at `?` would read past it, so it is refused.
 * Browsers and curl resolve dot segments and drop fragments before they send.
 */
export function dotSegmentRefusal(target: string): string | null {
  const end = pathEnd(target);
  if (target.charCodeAt(end) === 0x23 /* # */) return 'A fragment (#) in the request target is not proxied';
  const dot = target.indexOf('.');
  const escape = target.indexOf('%');
  if ((dot < 0 || dot >= end) && (escape < 0 || escape >= end)) return null; // the common case: nothing to decode
  const segments = pathSegments(target.slice(0, end), true);
  if (segments === null) return 'A path that cannot be percent-decoded as UTF-8 is not proxied';
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return 'Dot segments (. and ..) are not proxied';
  }
  return null;
}

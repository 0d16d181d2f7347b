/**
 * The redirect rules `request()` and `fetch()` share (Fetch standard §4.4, HTTP-redirect fetch): which
 * statuses redirect, when the method becomes GET and the body is dropped, which fields stay behind.
 */

/** Statuses that redirect when they carry a Location. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Whether following `status` turns `method` into GET without its body: 303 for anything but GET and HEAD,
 * and 301/302 for POST (what browsers did before the standard wrote it down).
 */
export function redirectDropsBody(status: number, method: string): boolean {
  if (status === 303) return method !== 'GET' && method !== 'HEAD';
  return (status === 301 || status === 302) && method === 'POST';
}

/** Credentials a redirect to another origin must not carry (undici's fetch drops the same four). */
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);

/** Whether field `name` is left out of a redirected request: a credential across origins, a body field without body. */
export function droppedOnRedirect(name: string, crossOrigin: boolean, bodyDropped: boolean): boolean {
  const lower = name.toLowerCase();
  return (crossOrigin && CROSS_ORIGIN_DROPPED.has(lower)) || (bodyDropped && lower.startsWith('content-'));
}

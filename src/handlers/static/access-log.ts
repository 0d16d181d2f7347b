import type { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { escapeControls } from '../../server/request-handler.js';

/** Access log formats: Python's line (default), Apache common/combined, or one JSON object per line. */
export type LogFormat = 'python' | 'common' | 'combined' | 'json';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `10/Oct/2000:13:55:36 +0000`, the Apache timestamp, in local time with its offset. */
function apacheTime(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

const quote = (s: string | undefined): string =>
  s === undefined ? '-' : escapeControls(s).replace(/"/g, '\\"');

/** One access-log line (without the newline) for a finished request in a format other than Python's. */
export function accessLine(
  format: Exclude<LogFormat, 'python'>,
  h: BaseHTTPRequestHandler,
  status: number,
  bytes: number,
  startedMs: number,
): string {
  const now = new Date();
  if (format === 'json') {
    return JSON.stringify({
      time: now.toISOString(),
      remote: h.clientAddress[0],
      method: h.command,
      path: h.path,
      version: h.requestVersion,
      status,
      bytes,
      referer: h.headers.get('referer') ?? null,
      userAgent: h.headers.get('user-agent') ?? null,
      durationMs: now.getTime() - startedMs,
    });
  }
  const base = `${h.clientAddress[0]} - - [${apacheTime(now)}] "${quote(h.requestline)}" ${status} ${bytes === 0 ? '-' : bytes}`;
  return format === 'common'
    ? base
    : `${base} "${quote(h.headers.get('referer'))}" "${quote(h.headers.get('user-agent'))}"`;
}

/** An error line (`code 404, message …`, an exception) as a JSON object, for the `json` format. */
export function errorLine(h: BaseHTTPRequestHandler, message: string): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    remote: h.clientAddress[0],
    level: 'error',
    message,
  });
}

/** Python's status colours for a terminal: 2xx green, 3xx cyan, 4xx yellow, 5xx red. */
export function colourStatus(code: number): string {
  const colour = code >= 500 ? 31 : code >= 400 ? 33 : code >= 300 ? 36 : code >= 200 ? 32 : 0;
  return colour === 0 ? String(code) : `\x1b[${colour}m${code}\x1b[0m`;
}

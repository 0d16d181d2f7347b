import { MONTHS, OncePerSecond, pad2 } from '../protocol/http-date.js';
import type { Headers } from '../protocol/headers.js';
import type { ClientAddress } from './http-server.js';

/** Access log formats: Python's line (default), Apache common/combined, or one JSON object per line. */
export type LogFormat = 'python' | 'common' | 'combined' | 'json';

/** What a log line tells of a request; every handler is one. */
export interface LoggedRequest {
  readonly clientAddress: ClientAddress;
  readonly command: string;
  readonly path: string;
  readonly requestVersion: string;
  readonly requestline: string;
  readonly headers: Headers;
}

/**
 * C0 and C1 controls, DEL: escaped in log lines so a request cannot drive the terminal reading the log, and
 * dropped from the names uploads are saved under.
 */
// eslint-disable-next-line no-control-regex -- matching controls is this regex's purpose
export const CONTROL_RE = /[\x00-\x1f\x7f-\x9f]/g;

/** Escapes C0/C1 controls and DEL as `\xNN`, as Python does for log lines. */
export function escapeControls(s: string): string {
  CONTROL_RE.lastIndex = 0;
  if (!CONTROL_RE.test(s)) return s;
  return s.replace(CONTROL_RE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `24/Nov/2026` + `separator` + `00:01:25` in local time: what Python's and Apache's log times share. */
function localLogTime(d: Date, separator: string): string {
  return (
    `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}${separator}` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** `24/Nov/2026 00:01:25`, Python's log time. */
function formatPythonDate(ms: number): string {
  return localLogTime(new Date(ms), ' ');
}

/** `10/Oct/2000:13:55:36 +0000`, the Apache timestamp, in local time with its offset. */
function formatApacheDate(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const minutes = Math.abs(offset);
  return `${localLogTime(d, ':')} ${offset >= 0 ? '+' : '-'}${pad2(Math.floor(minutes / 60))}${pad2(minutes % 60)}`;
}

const pythonDates = new OncePerSecond(formatPythonDate);
const apacheDates = new OncePerSecond(formatApacheDate);

/** The current local time as Python's log lines show it. */
export function pythonLogDate(): string {
  return pythonDates.now();
}

/** Python's log line: `host - - [date] message`, the message's control characters escaped. */
export function pythonLine(address: string, date: string, message: string): string {
  return `${address} - - [${date}] ${escapeControls(message)}\n`;
}

/**
 * Python's line for a request, `host - - [date] "GET / HTTP/1.1" 200 -`, with `status` as given: it may
 * carry colour, so only the request line is escaped.
 */
export function pythonRequestLine(
  address: string,
  date: string,
  requestline: string,
  status: string,
  size: number | string,
): string {
  return `${address} - - [${date}] "${escapeControls(requestline)}" ${status} ${size}\n`;
}

/** Python's status colours for a terminal: 2xx green, 3xx cyan, 4xx yellow, 5xx red; plain text elsewhere. */
export function statusText(code: number | string, colour: boolean): string {
  if (!colour || typeof code !== 'number') return String(code);
  const sgr = code >= 500 ? 31 : code >= 400 ? 33 : code >= 300 ? 36 : code >= 200 ? 32 : 0;
  return sgr === 0 ? String(code) : `\x1b[${sgr}m${code}\x1b[0m`;
}

const quote = (s: string | undefined): string =>
  s === undefined ? '-' : escapeControls(s).replace(/"/g, '\\"');

/** One access-log line for a finished request in a format other than Python's. */
export function accessLine(
  format: Exclude<LogFormat, 'python'>,
  request: LoggedRequest,
  status: number,
  bytes: number,
  startedMs: number,
): string {
  const headers = request.headers;
  if (format === 'json') {
    const now = Date.now();
    const entry = JSON.stringify({
      time: new Date(now).toISOString(),
      remote: request.clientAddress[0],
      method: request.command,
      path: request.path,
      version: request.requestVersion,
      status,
      bytes,
      referer: headers.get('referer') ?? null,
      userAgent: headers.get('user-agent') ?? null,
      durationMs: now - startedMs,
    });
    return `${entry}\n`;
  }
  const common = `${request.clientAddress[0]} - - [${apacheDates.now()}] "${quote(request.requestline)}" ${status} ${bytes === 0 ? '-' : bytes}`;
  return format === 'common'
    ? `${common}\n`
    : `${common} "${quote(headers.get('referer'))}" "${quote(headers.get('user-agent'))}"\n`;
}

/** An error line (`code 404, message …`, an exception) as a JSON object, for the `json` format. */
export function jsonErrorLine(request: LoggedRequest, message: string): string {
  return jsonLine(request.clientAddress[0], 'error', message);
}

/** A line of the `json` format that no request produced (a cut at the deadline, the connection cap). */
export function jsonLine(remote: string, level: 'error' | 'warning', message: string): string {
  return `${JSON.stringify({ time: new Date().toISOString(), remote, level, message })}\n`;
}

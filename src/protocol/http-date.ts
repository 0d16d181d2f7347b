const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** English month abbreviations, the only ones HTTP dates and the common log formats use. */
export const MONTHS: readonly string[] = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `n` as two digits (a day, hour, minute or second). */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** IMF-fixdate (RFC 9110 §5.6.7), e.g. `Tue, 24 Nov 2026 08:12:31 GMT`. */
export function formatHttpDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`
  );
}

/**
 * The current time in one format, formatted at most once a second: every response carries a date and every
 * request writes a log line, so a busy server would otherwise format the same second thousands of times.
 */
export class OncePerSecond {
  private second = -1;
  private text = '';

  constructor(private readonly format: (ms: number) => string) {}

  /** The current time, formatted. */
  now(): string {
    const ms = Date.now();
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = this.format(ms);
    }
    return this.text;
  }
}

const httpDateNow = new OncePerSecond(formatHttpDate);

/** The current time as an IMF-fixdate. */
export function currentHttpDate(): string {
  return httpDateNow.now();
}

/**
 * Parses the three date forms RFC 9110 §5.6.7 says a recipient must accept (IMF-fixdate, RFC 850, asctime);
 * NaN when the value is none of them, so callers can ignore a bad validator as the RFC asks.
 */
export function parseHttpDate(value: string): number {
  const v = value.trim();
  let m = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(v);
  if (m) return utc(m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(v);
  if (m) {
    const yy = Number(m[3]);
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const nowYear = new Date().getUTCFullYear();
    let year = 2000 + yy;
    if (year > nowYear + 50) year -= 100;
    return utc(String(year), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  }
  m = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(v);
  if (m) return utc(m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return NaN;
}

function utc(year: string, month: string, day: string, h: string, min: string, s: string): number {
  const mi = MONTHS.indexOf(month[0]!.toUpperCase() + month.slice(1).toLowerCase());
  if (mi < 0) return NaN;
  const t = Date.UTC(Number(year), mi, Number(day), Number(h), Number(min), Number(s));
  const d = new Date(t);
  // Reject dates that Date.UTC silently rolled over (31 Feb, 25:00).
  if (d.getUTCDate() !== Number(day) || d.getUTCHours() !== Number(h)) return NaN;
  return t;
}

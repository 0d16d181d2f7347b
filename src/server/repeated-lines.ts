/** How long one count of held-back lines runs, in ms. */
const INTERVAL = 10_000;

interface Kind {
  written: number;
  held: number;
  /** The last line held back, so the summary can show what was counted. */
  sample: string;
}

/**
 * Holds back repeats of connection-level log lines (408s from slowloris, parse errors, the connection cap):
 * in each interval the first `burst` lines of a kind are written, the rest are only counted, and one line at
 * the end of the interval says how many of that kind were left out. An attack cannot fill a disk through
 * the log, and the log still says the attack happened.
 */
export class RepeatedLines {
  private readonly kinds = new Map<string, Kind>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly write: (line: string) => void) {}

  /** Writes `line`, or counts it when `burst` lines of its `kind` were written in this interval already. */
  line(kind: string, line: string, burst: number): void {
    let entry = this.kinds.get(kind);
    if (entry === undefined) {
      entry = { written: 0, held: 0, sample: '' };
      this.kinds.set(kind, entry);
    }
    if (this.timer === null) {
      this.timer = setTimeout(this.report, INTERVAL);
      this.timer.unref();
    }
    if (entry.written < burst) {
      entry.written++;
      this.write(line);
      return;
    }
    entry.held++;
    entry.sample = line;
  }

  /** Ends the interval: one summary line per kind that had lines held back. */
  readonly report = (): void => {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const [kind, { held, sample }] of this.kinds) {
      if (held > 0) this.write(summaryLine(kind, held, sample));
    }
    this.kinds.clear();
  };
}

/** The count of held-back lines, as JSON in a JSON log (the sample tells which) so the log stays parseable. */
function summaryLine(kind: string, held: number, sample: string): string {
  const message = `${held} more "${kind}" lines in the last ${INTERVAL / 1000} s not logged; the last: ${sample.trimEnd()}`;
  if (sample.startsWith('{')) {
    return `${JSON.stringify({ time: new Date().toISOString(), level: 'warning', message })}\n`;
  }
  return `[log] ${message}\n`;
}

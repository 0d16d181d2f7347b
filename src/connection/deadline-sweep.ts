import type { Connection } from './connection.js';

/** Most expired connections handled in one turn of the event loop; the rest follow in the next turns. */
export const EXPIRIES_PER_TURN = 32;

/**
 * What the server's one timer does for every connection's deadline (instead of a timer per connection).
 * Expired connections are handled a batch per event-loop turn, with a `setImmediate` between batches:
 * thousands of slowloris connections that reach the headers timeout together (each is answered 408 and
 * closed) then delay the requests being served by one batch at a time, not by the whole cut at once.
 */
export class DeadlineSweep {
  private expired: Connection[] = [];
  /** Index in `expired` of the next connection to handle; the batch is done when it reaches the end. */
  private next = 0;

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    private readonly now: () => number,
  ) {}

  /** One pass: finds the expired connections (unless a batch is still being handled) and checks sends. */
  run(): void {
    const now = this.now();
    const collect = this.next >= this.expired.length;
    if (collect) {
      this.expired = [];
      this.next = 0;
    }
    for (const connection of this.connections) {
      if (connection.deadline !== 0 && now >= connection.deadline) {
        if (collect) this.expired.push(connection);
      } else {
        connection.checkSend(now);
      }
    }
    // Cut from the check phase, as the later batches are: a batch cut here, in the timers phase, would
    // follow the previous turn's last batch with no I/O served between them.
    if (collect && this.expired.length > 0) setImmediate(this.expireSome);
  }

  private readonly expireSome = (): void => {
    const now = this.now();
    const stop = Math.min(this.expired.length, this.next + EXPIRIES_PER_TURN);
    while (this.next < stop) {
      const connection = this.expired[this.next++]!;
      // Since it was found, it may have moved on: its head completed, or it closed (deadline 0).
      if (connection.deadline !== 0 && now >= connection.deadline) connection.timedOut();
    }
    if (this.next < this.expired.length) setImmediate(this.expireSome);
    else this.expired = [];
  };
}

import type { Exchange } from '../connection/exchange.js';

interface Waiting {
  exchange: Exchange;
  /** Called once the request is answered: its connection may read the next one. */
  done: () => void;
}

/**
 * Python's one-request-at-a-time API: while the server is not serving (`serveForever()`, `start()`), parsed
 * requests wait here, and each `handleRequest()` call lets exactly one through.
 */
export class HeldRequests {
  private readonly waiting: Waiting[] = [];
  /** `handleRequest()` calls not yet given a request. */
  private readonly calls: Array<() => void> = [];

  constructor(private readonly dispatch: (exchange: Exchange) => void | Promise<void>) {}

  /** Holds a request until a call lets it through; resolves once it is answered. */
  hold(exchange: Exchange): Promise<void> {
    return new Promise<void>((done) => {
      this.waiting.push({ exchange, done });
      this.admit();
    });
  }

  /** One `handleRequest()` call: resolves once the request it let through is answered. */
  admitOne(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.calls.push(resolve);
      this.admit();
    });
  }

  /** Serving began: every held request goes through now, no call needed. */
  releaseAll(): void {
    for (const waiting of this.waiting.splice(0)) this.run(waiting);
  }

  private admit(): void {
    while (this.calls.length > 0 && this.waiting.length > 0) {
      const waiting = this.waiting.shift()!;
      if (waiting.exchange.aborted) {
        waiting.done(); // its client left while it waited: it does not use up a call
        continue;
      }
      const call = this.calls.shift()!;
      this.run({
        exchange: waiting.exchange,
        done: () => {
          waiting.done();
          call();
        },
      });
    }
  }

  private run(waiting: Waiting): void {
    const result = this.dispatch(waiting.exchange);
    if (result === undefined) waiting.done();
    else result.then(waiting.done, waiting.done);
  }
}

/**
 * Waiting for what a test needs to see, up to a deadline that fails it with a clear message: never a fixed
 * sleep, which a loaded machine outlasts.
 */
import type net from 'node:net';
import { promisify } from 'node:util';

/**
 * Resolves once `check()` holds, looked at every 5 ms; rejects after `ms`, naming `what` was awaited (a
 * function, to describe the state at that moment).
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  ms = 10_000,
): Promise<void> {
  for (const until = Date.now() + ms; !(await check());) {
    if (Date.now() > until) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What a raw client socket has received, as latin1 text, and a wait for a pattern in it. */
export interface Received {
  /** Everything received so far. */
  text(): string;
  /** Resolves once the text matches; rejects if the socket closes first or after `ms`, with the text so far. */
  until(pattern: RegExp, ms?: number): Promise<void>;
}

/** Starts collecting what `socket` receives (it starts reading): for tests that await a response byte. */
export function received(socket: net.Socket): Received {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return {
    text: () => text,
    until: (pattern, ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        let settled = false;
        const done = (err?: Error): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.off('data', check);
          socket.off('close', closed);
          if (err) reject(err);
          else resolve();
        };
        const check = (): void => {
          if (pattern.test(text)) done();
        };
        const closed = (): void =>
          done(new Error(`closed before ${pattern} arrived: ${JSON.stringify(text)}`));
        const timer = setTimeout(
          () => done(new Error(`no ${pattern} within ${ms} ms: ${JSON.stringify(text)}`)),
          ms,
        );
        socket.on('data', check);
        socket.on('close', closed);
        check();
        if (socket.destroyed) closed();
      }),
  };
}

/** Resolves once `listener` has accepted a connection: the server has it, whatever it has read of it yet. */
export function accepted(listener: net.Server): Promise<void> {
  const count = promisify(listener.getConnections.bind(listener));
  return eventually(async () => (await count()) > 0, 'the server to accept the connection');
}

/** Live reload for one server: the directory watcher and the pages' event streams, started together. */
import type { HandlerClass, HTTPServer } from '../../../server/http-server.js';
import type { BaseHTTPRequestHandler } from '../../../server/request-handler.js';
import type { StaticOptions } from '../options.js';
import { ignoredChanges } from './change-filter.js';
import { watchChanges, type LiveEvent } from './watcher.js';

/** A comment line this often keeps an idle stream's proxies and the browser from giving up on it. */
const HEARTBEAT_MS = 25_000;

/**
 * The open event streams of one server and the watcher that feeds them. Made by the first request a
 * live handler sees (a page cannot listen before it was loaded) and stopped as the server stops: the
 * watcher closes and every stream ends at once, so none holds the graceful shutdown.
 */
export class LiveReload {
  /** Each open stream's `end`, keyed by its handler: a closed tab's entry goes with its stream. */
  private readonly streams = new Map<BaseHTTPRequestHandler, () => void>();
  private readonly watcher: { close(): void };
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    directory: string,
    ignore: readonly string[],
    server: HTTPServer,
    log: (message: string) => void,
  ) {
    this.watcher = watchChanges(
      directory,
      ignoredChanges(ignore),
      (event, paths) => this.broadcast(event, paths),
      (err) => log(`live reload: cannot watch ${directory}: ${err.message}`),
    );
    server.stopSignal.addEventListener('abort', () => this.stop(), { once: true });
  }

  /**
   * Answers the event stream: `text/event-stream`, open until the client leaves or the server stops, then
   * the connection closes (EventSource reconnects on a new one).
   */
  serve(handler: BaseHTTPRequestHandler): void | Promise<void> {
    handler.sendResponse(200);
    handler.sendHeader('Content-Type', 'text/event-stream');
    handler.sendHeader('Connection', 'close'); // it ends only with the client or the server
    handler.endHeaders();
    if (handler.command === 'HEAD') return;
    handler.wfile.write('retry: 1000\n\n'); // a browser reconnects after 1 s (a restart)
    if (this.stopped) return;
    return new Promise((resolve) => {
      const end = (): void => {
        this.streams.delete(handler);
        if (this.streams.size === 0 && this.heartbeat !== null) {
          clearInterval(this.heartbeat);
          this.heartbeat = null;
        }
        resolve();
      };
      this.streams.set(handler, end);
      handler.signal.addEventListener('abort', end, { once: true });
      this.heartbeat ??= setInterval(() => this.write(': \n\n'), HEARTBEAT_MS).unref();
    });
  }

  /** Tells every open page what changed (as JSON, so a name holding a newline cannot break the stream). */
  private broadcast(event: LiveEvent, paths: string[]): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(paths)}\n\n`);
  }

  private write(text: string): void {
    for (const handler of this.streams.keys()) handler.wfile.write(text);
  }

  private stop(): void {
    this.stopped = true;
    this.watcher.close();
    for (const end of [...this.streams.values()]) end();
  }
}

const hubs = new WeakMap<HTTPServer, LiveReload>();

/** The server's LiveReload, made on first use. */
export function liveReloadOf(
  server: HTTPServer,
  Handler: HandlerClass,
  { directory, liveIgnore }: Pick<StaticOptions, 'directory' | 'liveIgnore'>,
): LiveReload {
  let hub = hubs.get(server);
  if (hub === undefined) {
    // A watch that fails later (the directory removed, out of inotify watches) is one server line.
    const log = (message: string): void => server.log(Handler.serverLine('-', message));
    hubs.set(server, (hub = new LiveReload(directory, liveIgnore, server, log)));
  }
  return hub;
}
